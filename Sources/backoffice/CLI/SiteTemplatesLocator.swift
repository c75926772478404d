import Foundation

/// Finds the bundled `site-templates/` next to `sample-config/`, or where `--templates` or
/// `BACKOFFICE_SITE_TEMPLATES` says.
enum SiteTemplatesLocator {
    static func templates(_ option: String?) throws -> String {
        var candidates: [String] = []
        if let option { candidates.append(option) }
        if let override = ProcessInfo.processInfo.environment["BACKOFFICE_SITE_TEMPLATES"] { candidates.append(override) }
        if let sample = BundledFolder.sampleConfig.locate() {
            candidates.append(URL(fileURLWithPath: sample).deletingLastPathComponent().appendingPathComponent("site-templates").path)
        }
        candidates.append(FileManager.default.currentDirectoryPath + "/site-templates")
        guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0 + "/layout.html") }) else {
            throw UsageError("cannot find the site templates (site-templates/layout.html); name them with --templates DIR")
        }
        return found
    }
}
