/// DriverKit: the library Swift drivers are written against (DESIGN §5).
///
/// DriverKit arrives with the runtime issue; this namespace anchors the module today.
public enum DriverKitModule {
    /// The module's name, for `--metadata` output.
    public static let name = "DriverKit"
}
