import Foundation

/// Paths in this source checkout: the sample building and the site templates the tests use.
public enum Checkout {
    /// The checkout's root (the directory holding `sample-config/`).
    public static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("sample-config/backoffice.json").path) { return url.path }
        }
        fatalError("sample-config/ not found above \(#filePath)")
    }()

    /// `sample-config/`: the demo building.
    public static var sampleConfig: String { root + "/sample-config" }

    /// `site-templates/`.
    public static var siteTemplates: String { root + "/site-templates" }
}
