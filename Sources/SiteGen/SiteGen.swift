import ConfigRepo

/// SiteGen: the template engine and page renderers of the backoffice site (DESIGN §7).
///
/// The site arrives with its own issue; this namespace anchors the module today.
public enum SiteGenModule {
    /// The module's name, for logs and `--version` output.
    public static let name = "SiteGen"
}
