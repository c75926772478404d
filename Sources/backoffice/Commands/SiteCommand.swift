import ConfigRepo
import Foundation
import SiteGen

/// `backoffice site --out DIR [--repo DIR]`: renders the whole site once, as static files.
enum SiteCommand: Command {
    static let name = "site"
    static let summary = "render the backoffice site into a directory"
    static let help = """
        usage: backoffice site --out DIR [--repo DIR] [--branch NAME] [--state DIR] [--templates DIR]

        Renders every page of the site for the head of the branch into DIR (the same pages
        `serve` renders into <state>/site), with the validation banner written into each page
        when the head is invalid, and prints how many pages it wrote and how long it took.

          --out DIR        where to write the site (created if missing)
          --repo DIR       the configuration repository (default: the current directory)
          --branch NAME    the tracked branch (default: main)
          --state DIR      the state directory, for the deployment secret (default: .backoffice)
          --templates DIR  the templates (default: the bundled site-templates/)
        """
    static let arguments = ArgumentSpec(valueOptions: ["out", "repo", "state", "branch", "templates"])

    static func run(_ arguments: ParsedArguments) async throws -> Int32 {
        guard let out = arguments.value("out") else { throw UsageError("--out DIR is required") }
        let repository = try RepositoryOption.open(arguments)
        let templates = try SiteTemplatesLocator.templates(arguments.value("templates"))
        let library = try TemplateLibrary(directory: templates)
        let snapshot = try repository.headSnapshot()
        let problems = try repository.validate()
        let builder = SiteBuilder(library: library, directory: out, notices: Notices.banner(problems),
                                  changedPaths: { from, to in try repository.store.changes(from: from, to: to) })
        let report = try builder.renderAll(snapshot)
        try builder.copyAssets(from: templates + "/assets")
        Terminal.print("rendered \(report.written) pages of \(snapshot.commit?.short ?? "(empty)") into \(out) in "
                       + String(format: "%.2f s", report.seconds) + (problems.isEmpty ? "" : " (head invalid: \(problems.count) problems)"))
        return 0
    }
}
