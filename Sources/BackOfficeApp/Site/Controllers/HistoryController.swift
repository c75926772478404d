import Auth
import ConfigRepo
import SiteGen
import WebServer

/// An object's history (the commits that touched it, each with its field changes as the
/// reader's role may see them) and revert: one `git revert` commit by the acting user.
struct HistoryController: Feature {
    let site: SiteService

    /// Commits shown on a history page.
    static let limit = 30

    func mount(on router: inout Router) {
        router.get("/backoffice/:kind/:id/history", blocking: site.signedIn { [self] request in
            try history(ObjectRef(try site.kind(request), request.parameter("id") ?? ""), request, error: nil)
        })
        router.post("/backoffice/:kind/:id/revert", blocking: site.signedIn { [self] request in try revert(request) })
    }

    func history(_ ref: ObjectRef, _ request: Request, error: String?, status: HTTPStatus = .ok) throws -> Response {
        let snapshot = try site.head()
        let commits: [CommitInfo]
        do { commits = try site.repository.history(of: ref, limit: Self.limit) } catch {
            throw HTTPError(.internalServerError, "cannot read the history: \(error)")
        }
        guard !commits.isEmpty || snapshot.document(ref) != nil else { throw HTTPError(.notFound, "\(ref) has no history") }
        let (token, cookie) = site.tokens.issue(for: request, purpose: SiteURL.revert(ref))
        let entries = commits.map { HistoryPage.Entry(commit: $0, changes: (try? site.repository.changes(to: ref, in: $0.id)) ?? []) }
        let page = HistoryPage(.object(ref, in: snapshot))
        let values = page.values(entries: entries, role: request.principal.role, token: token, error: error)
        return site.html(try site.renderer(snapshot).page("history", title: page.title, kind: ref.kind, values), status: status, setCookie: cookie)
    }

    func revert(_ request: Request) throws -> Response {
        let kind = try ObjectFormsController(site: site).editableKind(request)
        let ref = ObjectRef(kind, request.parameter("id") ?? "")
        let submission = try URLEncodedForm(request)
        try site.tokens.check(request, submission)
        guard let commit = submission["commit"].flatMap(ObjectID.init(hex:)) else {
            return try history(ref, request, error: "Choose a commit to revert.", status: .badRequest)
        }
        let result: WriteResult
        do {
            // Only a commit of this object's history, and only what the role may change (issue 11).
            result = try site.repository.revert(commit, author: request.principal.signature, scope: .object(ref),
                                                actingAs: request.principal.role)
        } catch {
            let refusal = WriteRefusal(error, .revert, subject: "this \(kind.noun)")
            return try history(ref, request, error: refusal.message, status: refusal.status)
        }
        site.refreshSoon()
        let exists = result.snapshot.document(ref) != nil
        return .redirect(to: exists ? SiteURL.detail(ref) + "?saved=" + result.commit.id.hex : SiteURL.list(kind) + "?deleted=" + ref.id)
    }
}
