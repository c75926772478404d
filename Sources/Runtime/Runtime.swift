import ConfigRepo

/// Runtime: modules, driver processes, status, triggers and the scheduler (DESIGN §5).
///
/// The runtime arrives with its own issue; this namespace anchors the module today.
public enum RuntimeModule {
    /// The module's name, for logs and `--version` output.
    public static let name = "Runtime"
}
