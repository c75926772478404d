import Auth
import ConfigRepo
import Foundation
import Runtime
import SiteGen
import WebServer

/// A git driver's build page (`/backoffice/drivers/:id/build`): the build of the commit it asks
/// for as it goes (queued, building, built, failed; the page reloads itself until it is done),
/// the compiler's errors with file and line and its whole output, what the modules run
/// meanwhile, a Recompile button, and the pin: the commit configured, "update available" with the
/// commits in between, and the branch's commits of the driver, each a "Pin" that opens the
/// driver's edit form with that commit filled in (a config edit, reverted like any other).
struct DriverBuildController: Feature {
    let site: SiteService
    let repositories: DriverRepositories

    func mount(on router: inout Router) {
        router.get("/backoffice/drivers/:id/build", blocking: site.signedIn { [self] request in try page(request, error: nil) })
        router.post("/backoffice/drivers/:id/recompile", blocking: site.signedIn { [self] request in try recompile(request) })
    }

    static func url(_ id: String) -> String { SiteURL.detail(ObjectRef(.driver, id)) + "build" }

    func page(_ request: Request, error: String?, status: HTTPStatus = .ok) throws -> Response {
        let snapshot = try site.head()
        let id = request.parameter("id") ?? ""
        guard let document = snapshot.document(.driver, id) else { throw HTTPError(.notFound, "driver \(id) does not exist") }
        let driver = DriverView(document)
        let repository = driver.repositoryID.flatMap { snapshot.document(.repository, $0) }
        var values: [String: TemplateValue] = [
            "name": .string(document.displayName), "id": .string(id), "listURL": .string(SiteURL.list(.driver)),
            "detailURL": .string(SiteURL.detail(document.ref)), "pageError": .optional(error),
            "file": .optional(document.string("file_name")),
            "repositoryName": .optional(repository?.displayName),
            "repositoryURL": .optional(repository.map { RepositoryGitController.url($0.id) }),
        ]
        guard let repository, let fetch = repositories.repositories.status(repository.id) else {
            values["notGit"] = .string(repository?.string("uri") ?? "no repository")
            return try render(values, document, status: status)
        }
        let pin = document.string("commit").flatMap { $0.isEmpty ? nil : $0 }
        values["pin"] = .optional(pin.map { ObjectID(hex: $0)?.short ?? $0 })
        values["follows"] = .optional(pin == nil ? (fetch.branch ?? "the default branch") : nil)
        let report = repositories.buildReport(for: driver, repository: repository)
        values["build"] = Self.buildValues(report)
        if report.state?.isFinished == false || (fetch.fetching && report.wanted == nil) { values["refresh"] = "2" }
        if request.principal.role >= .admin {
            let action = SiteURL.detail(document.ref) + "recompile"
            values["recompileURL"] = .string(action)
            values["recompileToken"] = .string(site.tokens.issue(for: request, purpose: action).token)
        }
        let mayPin = request.principal.mayEdit(.driver)
        if let update = repositories.update(for: driver, repository: repository) {
            values["update"] = ["head": .string(update.head.short), "count": .int(update.commits.count),
                                "commits": .list(update.commits.map { commitValues($0, driver: id, wanted: nil, mayPin: mayPin) })]
        }
        if let file = document.string("file_name"), let commits = try? repositories.commits(repository.id, file: file, limit: 30) {
            values["commits"] = .list(commits.map { commitValues($0, driver: id, wanted: report.wanted?.commit, mayPin: mayPin) })
        }
        return try render(values, document, status: status)
    }

    private func render(_ values: [String: TemplateValue], _ document: ConfigDocument, status: HTTPStatus) throws -> Response {
        let page = try site.renderer(try site.head()).page("driver-build", title: "Build: \(document.displayName)", kind: .driver, values)
        return site.html(page, status: status)
    }

    /// A commit of the driver's history; `pinURL` opens the edit form with it filled in.
    private func commitValues(_ commit: GitCommitSummary, driver: String, wanted: ObjectID?, mayPin: Bool) -> TemplateValue {
        [
            "short": .string(commit.id.short), "subject": .string(commit.subject), "author": .string(commit.author.name),
            "date": .optional(commit.author.date.map(RepositoryGitController.date)),
            "current": .bool(commit.id == wanted),
            "pinURL": .optional(mayPin && commit.id != wanted ? SiteURL.edit(ObjectRef(.driver, driver)) + "?commit=" + commit.id.hex : nil),
        ]
    }

    static func buildValues(_ report: DriverBuildReport) -> TemplateValue {
        var values: [String: TemplateValue] = [
            "state": .string(report.state?.name ?? (report.problem == nil ? "not requested" : "no commit")),
            "commit": .optional(report.wanted?.commit.short), "problem": .optional(report.problem),
            "running": .optional(report.running?.commit.short),
        ]
        switch report.state {
        case .failed(let failure)?:
            values["message"] = .string(failure.message)
            values["errors"] = .list(failure.diagnostics.filter { $0.severity == "error" }.map {
                ["file": .string($0.file), "line": .int($0.line), "column": .int($0.column), "message": .string($0.message)]
            })
            values["output"] = .optional(failure.output.isEmpty ? nil : failure.output)
        case .built(let built)?:
            values["warnings"] = .optional(built.output.isEmpty ? nil : built.output)
        default: break
        }
        return .object(values)
    }

    /// Builds the driver's commit again (admins) and shows the page, which follows the build.
    func recompile(_ request: Request) throws -> Response {
        guard request.principal.role >= .admin else { throw HTTPError(.forbidden, "you do not have access to this") }
        let form = try URLEncodedForm(request)
        try site.tokens.check(request, form)
        let snapshot = try site.head()
        let id = request.parameter("id") ?? ""
        guard let document = snapshot.document(.driver, id) else { throw HTTPError(.notFound, "driver \(id) does not exist") }
        let driver = DriverView(document)
        let repository = driver.repositoryID.flatMap { snapshot.document(.repository, $0) }
        guard repositories.recompile(driver, repository: repository) != nil else {
            let report = repositories.buildReport(for: driver, repository: repository)
            return try page(request, error: "Nothing to build: \(report.problem ?? "the driver's commit is not known yet").", status: .conflict)
        }
        return .redirect(to: Self.url(id))
    }
}
