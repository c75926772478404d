import ConfigRepo
import Foundation
import SiteGen
import WebServer

extension ServeCommand {
    /// Renders the whole site into `site` for the current head, keeps it up to date with every
    /// new commit (forms or `git push`), and mounts the site's pages, forms and assets.
    @discardableResult
    static func mountSite(on router: inout Router, deployment: Deployment, site: String) throws -> SiteApp {
        let templates = try SiteTemplatesLocator.templates(nil)
        let library = try TemplateLibrary(directory: templates)
        let repository = deployment.repository
        let builder = SiteBuilder(library: library, directory: site,
                                  changedPaths: { from, to in try repository.store.changes(from: from, to: to) })
        let report = try builder.renderAll(try repository.headSnapshot())
        try builder.copyAssets(from: templates + "/assets")
        Terminal.print("site: \(report.written) pages rendered in " + String(format: "%.2f s", report.seconds))
        let site = try SiteApp(repository: repository, builder: builder, library: library, siteDirectory: site,
                               stateDirectory: deployment.stateDirectory)
        site.start()
        site.mount(on: &router)
        return site
    }
}

/// Finds the bundled `site-templates/` next to `sample-config/`, or where `--templates` or
/// `BACKOFFICE_SITE_TEMPLATES` says.
enum SiteTemplatesLocator {
    static func templates(_ option: String?) throws -> String {
        var candidates: [String] = []
        if let option { candidates.append(option) }
        if let override = ProcessInfo.processInfo.environment["BACKOFFICE_SITE_TEMPLATES"] { candidates.append(override) }
        if let sample = SampleConfigLocator.locate() {
            candidates.append(URL(fileURLWithPath: sample).deletingLastPathComponent().appendingPathComponent("site-templates").path)
        }
        candidates.append(FileManager.default.currentDirectoryPath + "/site-templates")
        guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0 + "/layout.html") }) else {
            throw UsageError("cannot find the site templates (site-templates/layout.html); name them with --templates DIR")
        }
        return found
    }
}
