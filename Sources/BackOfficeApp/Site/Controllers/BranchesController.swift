import Auth
import ConfigRepo
import SiteGen
import WebServer

/// `/backoffice/branches/` (admins): the configuration repository's branches and the fetched
/// upstream branches, each with what merging it would change (``BranchReview``), and two
/// forms: merge it through the gate (one merge commit authored by the admin) or delete it.
/// Review for teams without a git host (issue 16, docs/git-workflows.md).
struct BranchesController: Feature {
    let site: SiteService

    static let page = "/backoffice/branches/"
    static let merge = "/backoffice/branches/merge"
    static let delete = "/backoffice/branches/delete"

    func mount(on router: inout Router) {
        router.get("/backoffice/branches", blocking: site.signedIn { [self] request in
            try list(try admin(request), error: nil)
        })
        router.post(Self.merge, blocking: site.signedIn { [self] request in try merge(try admin(request)) })
        router.post(Self.delete, blocking: site.signedIn { [self] request in try delete(try admin(request)) })
    }

    /// The request, when an admin makes it (the policy table says the same).
    private func admin(_ request: Request) throws(HTTPError) -> Request {
        guard request.principal.has(.admin) else { throw HTTPError(.forbidden, "you do not have access to this") }
        return request
    }

    func list(_ request: Request, error: String?, status: HTTPStatus = .ok) throws -> Response {
        let snapshot = try site.head()
        let reviews: [BranchReview]
        do {
            reviews = try site.branchReviews.reviews(of: site.repository.store.branches(), tracked: site.repository.store.head()) {
                branch throws(StoreError) in try BranchReview(repository: site.repository, branch: branch)
            }
        } catch {
            throw HTTPError(.internalServerError, "cannot read the branches: \(error)")
        }
        let (tokens, cookie) = site.tokens.issue(for: request, purposes: [Self.merge, Self.delete])
        let values: [String: TemplateValue] = [
            "tracked": .string(site.repository.store.branch),
            "branches": .list(reviews.map { $0.values(mergeToken: tokens[Self.merge] ?? "", deleteToken: tokens[Self.delete] ?? "") }),
            "error": .optional(error), "mergeURL": .string(Self.merge), "deleteURL": .string(Self.delete),
        ]
        let flash = site.savedNotice(request)
        return site.html(try site.renderer(snapshot, flash: flash).page("branches", title: "Branches", kind: nil, values),
                         status: status, setCookie: cookie)
    }

    /// `POST /backoffice/branches/merge` (`branch`, `head`: the commit the admin reviewed):
    /// 303 back to the page with the merge commit, or the page with why nothing was merged.
    func merge(_ request: Request) throws -> Response {
        let submission = try URLEncodedForm(request)
        try site.tokens.check(request, submission)
        let branch: ConfigBranch
        switch try reviewed(submission) {
        case .success(let found): branch = found
        case .failure(let refusal): return try list(request, error: refusal.message, status: refusal.status)
        }
        let result: WriteResult
        do {
            result = try site.repository.merge(branch, author: request.principal.signature, actingAs: request.principal.role)
        } catch .store(.mergeConflict(let paths)) {
            return try list(request, error: "Not merged: \(branch.name) and \(site.repository.store.branch) both changed "
                            + paths.joined(separator: ", ") + ". Merge it in git and push the result.", status: .conflict)
        } catch .invalid(let problems) {
            return try list(request, error: "Not merged: the result would fail validation: "
                            + problems.map(\.description).joined(separator: "; "), status: .unprocessableContent)
        } catch {
            let refusal = WriteRefusal(error, .merge, subject: branch.name)
            return try list(request, error: refusal.message, status: refusal.status)
        }
        site.refreshSoon()
        return .redirect(to: Self.page + "?saved=" + result.commit.id.hex)
    }

    /// `POST /backoffice/branches/delete` (`branch`, `head`): a local branch only.
    func delete(_ request: Request) throws -> Response {
        let submission = try URLEncodedForm(request)
        try site.tokens.check(request, submission)
        let branch: ConfigBranch
        switch try reviewed(submission) {
        case .success(let found): branch = found
        case .failure(let refusal): return try list(request, error: refusal.message, status: refusal.status)
        }
        guard !branch.isUpstream else {
            return try list(request, error: "\(branch.name) is the upstream's branch: delete it there.", status: .unprocessableContent)
        }
        let deleted: Bool
        do { deleted = try site.repository.store.deleteBranch(branch) } catch {
            throw HTTPError(.internalServerError, "cannot delete \(branch.name): \(error)")
        }
        guard deleted else { return try list(request, error: Refusal.moved(branch.name).message, status: .conflict) }
        return .redirect(to: Self.page)
    }

    /// Why a form's branch cannot be acted on.
    private struct Refusal: Error {
        let message: String
        let status: HTTPStatus

        static func moved(_ name: String) -> Refusal {
            Refusal(message: "\(name) moved since you looked at it; nothing was done. Review it again.", status: .conflict)
        }
    }

    /// The branch the form names, still at the commit the admin reviewed.
    private func reviewed(_ submission: URLEncodedForm) throws -> Result<ConfigBranch, Refusal> {
        guard let name = submission["branch"], !name.isEmpty, let head = submission["head"].flatMap(ObjectID.init(hex:)) else {
            return .failure(Refusal(message: "Choose a branch.", status: .badRequest))
        }
        guard let branch = try site.repository.store.branch(named: name) else {
            return .failure(Refusal(message: "There is no branch \(name) (any more).", status: .notFound))
        }
        return branch.head == head ? .success(branch) : .failure(.moved(name))
    }
}
