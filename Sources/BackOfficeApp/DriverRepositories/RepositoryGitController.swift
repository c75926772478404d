import Auth
import ConfigRepo
import Foundation
import Runtime
import SiteGen
import WebServer

/// A git repository's page beside its configuration (`/backoffice/repositories/:id/git`): the
/// fetch as it goes (phase, progress, last fetch, head, error; the page reloads itself while a
/// fetch runs), a Pull button, its branches, and the drivers it holds at a chosen branch or
/// commit, each with its metadata once built and an "Add driver" link that opens the new-driver
/// form filled from that metadata (`DriverPrefill`).
struct RepositoryGitController: Feature {
    let site: SiteService
    let repositories: DriverRepositories

    func mount(on router: inout Router) {
        router.get("/backoffice/repositories/:id/git", blocking: site.signedIn { [self] request in try page(request, error: nil) })
        router.post("/backoffice/repositories/:id/pull", blocking: site.signedIn { [self] request in try pull(request) })
    }

    static func url(_ id: String) -> String { SiteURL.detail(ObjectRef(.repository, id)) + "git" }

    func page(_ request: Request, error: String?, status: HTTPStatus = .ok) throws -> Response {
        let snapshot = try site.head()
        let id = request.parameter("id") ?? ""
        guard let document = snapshot.document(.repository, id) else { throw HTTPError(.notFound, "repository \(id) does not exist") }
        let ref = document.ref
        var values: [String: TemplateValue] = [
            "name": .string(document.displayName), "id": .string(id), "listURL": .string(SiteURL.list(.repository)),
            "detailURL": .string(SiteURL.detail(ref)), "pageError": .optional(error),
        ]
        guard let fetch = repositories.repositories.status(id) else {
            values["notGit"] = .string(document.string("uri") ?? "")
            return try render(values, document, request, status: status)
        }
        values["status"] = Self.statusValues(fetch)
        values["interface"] = .bool(document.string("repo_type") == "interface")
        if fetch.fetching { values["refresh"] = "2" }
        if request.principal.role >= .admin {
            let action = SiteURL.detail(ref) + "pull"
            values["pullURL"] = .string(action)
            values["pullToken"] = .string(site.tokens.issue(for: request, purpose: action).token)
        }
        let at = request.query("at").flatMap { $0.isEmpty ? nil : $0 }
        values["at"] = .optional(at)
        if document.string("repo_type") != "interface", fetch.head != nil || fetch.lastSuccess != nil {
            do {
                let branches = try repositories.branches(id)
                values["branches"] = .list(branches.map { ["name": .string($0)] })
                let commit = try repositories.commit(id, revision: at)
                values["commit"] = .string(commit.short)
                values["drivers"] = .list(try repositories.drivers(id, revision: commit.hex).map { driver in
                    driverValues(driver, repositoryID: id, commit: commit, snapshot: snapshot)
                })
            } catch {
                values["driversError"] = .string(Self.describe(error))
            }
        }
        return try render(values, document, request, status: status)
    }

    private func render(_ values: [String: TemplateValue], _ document: ConfigDocument, _ request: Request,
                        status: HTTPStatus) throws -> Response {
        let title = "Git: \(document.displayName)"
        let page = try site.renderer(try site.head()).page("repository-git", title: title, kind: .repository, values)
        return site.html(page, status: status)
    }

    /// One found driver: its file and kind, its metadata when built at this commit, the
    /// drivers of the configuration already made from it, and the link that adds one.
    private func driverValues(_ driver: DiscoveredDriver, repositoryID: String, commit: ObjectID,
                              snapshot: Snapshot) -> TemplateValue {
        let key = repositories.builds.key(repositoryID: repositoryID, file: driver.file, commit: commit)
        var values: [String: TemplateValue] = [
            "file": .string(driver.file), "kind": .string(driver.kind == .swift ? "Swift" : "executable"),
            "addURL": .string(DriverPrefill.newDriverURL(repositoryID: repositoryID, file: driver.file, commit: commit)),
        ]
        switch repositories.builds.state(of: key) {
        case .built(let built)?:
            let metadata = built.metadata.json
            values["metadata"] = [
                "name": .string(built.metadata.name), "description": .optional(metadata["description"]?.stringValue),
                "moduleName": .optional(metadata["module_name"]?.stringValue),
                "role": .optional(built.metadata.role.flatMap { DriverRole(rawValue: $0) }.map(\.name)),
                "functions": .string(built.metadata.functions.keys.sorted().joined(separator: ", ")),
            ]
        case .failed(let failure)?: values["failure"] = .string(failure.message)
        case let state?: values["building"] = .string(state.name)
        case nil: break
        }
        let users = snapshot.unordered(.driver).filter {
            $0.string("repository_id") == repositoryID && $0.string("file_name") == driver.file
        }
        values["used"] = .list(users.map { ["name": .string($0.displayName), "href": .string(SiteURL.detail($0.ref))] })
        return .object(values)
    }

    /// Fetches now (admins), waits up to a minute, and shows the page again with the outcome.
    func pull(_ request: Request) throws -> Response {
        guard request.principal.role >= .admin else { throw HTTPError(.forbidden, "you do not have access to this") }
        let id = request.parameter("id") ?? ""
        let form = try URLEncodedForm(request)
        try site.tokens.check(request, form)
        guard repositories.repositories.pull(id) else {
            return try page(request, error: "Repository \(id) is not fetched with git.", status: .notFound)
        }
        return .redirect(to: Self.url(id))
    }

    static func statusValues(_ status: RepositoryStatus) -> TemplateValue {
        [
            "phase": .string(status.phase), "fetching": .bool(status.fetching),
            "progress": .optional(status.progress.map(\.summary)),
            "lastFetch": .optional(status.lastFetch.map(date)), "lastSuccess": .optional(status.lastSuccess.map(date)),
            "branch": .optional(status.branch), "head": .optional(status.head?.hex), "headShort": .optional(status.head?.short),
            "error": .optional(status.error),
        ]
    }

    static func date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss 'UTC'"
        return formatter.string(from: date)
    }

    /// A query's error as a sentence for the page.
    static func describe(_ error: any Error) -> String {
        switch error {
        case let error as RuntimeError: error.message
        case let error as GitError: error.message
        case let error as DriverBuildFailure: error.message
        default: "\(error)"
        }
    }
}
