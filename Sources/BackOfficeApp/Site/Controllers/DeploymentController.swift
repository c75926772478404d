import Auth
import ConfigRepo
import SiteGen
import WebServer

/// The deployment file (`backoffice.json`) in the site: its page (support and admins; global
/// settings filtered by level like an object's), its form (admins: GET shows, POST makes one
/// commit), and its history with revert.
struct DeploymentController: Feature {
    let site: SiteService

    func mount(on router: inout Router) {
        router.get("/backoffice/deployment", blocking: site.signedIn { [self] request in try page(try at(.support, request)) })
        router.get("/backoffice/deployment/history", blocking: site.signedIn { [self] request in
            try history(try at(.support, request), error: nil)
        })
        router.get("/backoffice/deployment/edit", blocking: site.signedIn { [self] request in try form(try at(.admin, request)) })
        router.post("/backoffice/deployment/edit", blocking: site.signedIn { [self] request in try save(try at(.admin, request)) })
        router.post("/backoffice/deployment/revert", blocking: site.signedIn { [self] request in try revert(try at(.admin, request)) })
    }

    /// The request, when its principal has `role` (the gate checks the same): support reads the
    /// deployment, admins change it.
    private func at(_ role: Role, _ request: Request) throws(HTTPError) -> Request {
        guard request.principal.has(role) else { throw HTTPError(.forbidden, "you do not have access to this") }
        return request
    }

    private func deploymentForm(_ request: Request) -> DeploymentForm {
        DeploymentForm(role: request.principal.role, box: site.repository.secretBox)
    }

    // MARK: - Pages

    func page(_ request: Request) throws -> Response {
        let snapshot = try site.head()
        var values = DeploymentPage(file: snapshot.deployment).values(
            role: request.principal.role, box: site.repository.secretBox, canEdit: request.principal.has(.admin))
        if request.principal.has(.admin) { values["branchesURL"] = .string(BranchesController.page) }
        let upstream = site.upstream.map { UpstreamSummary.notice($0.status).text } ?? ""
        let flash = TrustedHTML(trusted: (site.savedNotice(request)?.text ?? "") + upstream)
        return site.html(try site.renderer(snapshot, flash: flash).page("deployment", title: "Deployment", kind: nil, values))
    }

    func form(_ request: Request) throws -> Response {
        let snapshot = try site.head()
        return try formPage(request, snapshot: snapshot, version: snapshot.deployment?.version?.hex,
                            inputs: deploymentForm(request).inputs(for: snapshot.deployment), errors: [:], general: [], status: .ok)
    }

    func history(_ request: Request, error: String?, status: HTTPStatus = .ok) throws -> Response {
        let snapshot = try site.head()
        let commits: [CommitInfo]
        do { commits = try site.repository.deploymentHistory(limit: HistoryController.limit) } catch {
            throw HTTPError(.internalServerError, "cannot read the history: \(error)")
        }
        let canRevert = request.principal.has(.admin)
        let (token, cookie) = canRevert ? site.tokens.issue(for: request, purpose: SiteURL.deploymentRevert) : ("", nil)
        let entries = commits.map { HistoryPage.Entry(commit: $0, changes: (try? site.repository.deploymentChanges(in: $0.id)) ?? []) }
        let page = HistoryPage(.deployment)
        let values = page.values(entries: entries, role: request.principal.role, token: token, error: error)
        return site.html(try site.renderer(snapshot).page("history", title: page.title, kind: nil, values), status: status, setCookie: cookie)
    }

    // MARK: - POST

    /// `POST /backoffice/deployment/edit`: one commit by the acting admin; 303 to the
    /// deployment page, or the form again (422 invalid with field errors, 409 conflict).
    func save(_ request: Request) throws -> Response {
        let submission = try URLEncodedForm(request)
        try site.tokens.check(request, submission)
        let snapshot = try site.head()
        var base = snapshot.deployment ?? DeploymentFile()
        // The form says which version the user edited; a different current version is a conflict.
        base.version = submission["_version"].flatMap(ObjectID.init(hex:))
        let form = deploymentForm(request)
        let decoded = form.decode(submission.inputs, onto: base)
        if !decoded.errors.isEmpty {
            return try formPage(request, snapshot: snapshot, version: submission["_version"], inputs: submission.inputs,
                                errors: decoded.errors, general: [], status: .unprocessableContent)
        }
        let result: WriteResult
        do {
            result = try site.repository.apply([.saveDeployment(decoded.file)], author: request.principal.signature,
                                               actingAs: request.principal.role)
        } catch {
            let refusal = WriteRefusal(error, .save, subject: "the deployment file")
            switch error {
            case .invalid:
                let (errors, general) = refusal.fieldErrors(path: RepoPath.deploymentFile, inputName: form.inputName(for:),
                                                            label: { $0.field + ": " + $0.message })
                return try formPage(request, snapshot: snapshot, version: submission["_version"], inputs: submission.inputs,
                                    errors: errors, general: general, status: refusal.status)
            case .deploymentConflict(let basedOn, let current):
                return try conflict(request, submission, basedOn: basedOn, current: current)
            case .notPermitted(let refused):
                return try formPage(request, snapshot: snapshot, version: submission["_version"], inputs: submission.inputs,
                                    errors: [:], general: refused.map(\.description), status: refusal.status)
            default:
                return try site.message(refusal)
            }
        }
        site.refreshSoon()
        return .redirect(to: SiteURL.deployment + "?saved=" + result.commit.id.hex)
    }

    func revert(_ request: Request) throws -> Response {
        let submission = try URLEncodedForm(request)
        try site.tokens.check(request, submission)
        guard let commit = submission["commit"].flatMap(ObjectID.init(hex:)) else {
            return try history(request, error: "Choose a commit to revert.", status: .badRequest)
        }
        let result: WriteResult
        do {
            result = try site.repository.revert(commit, author: request.principal.signature, scope: .deployment,
                                                actingAs: request.principal.role)
        } catch {
            let refusal = WriteRefusal(error, .revert, subject: "the deployment file")
            return try history(request, error: refusal.message, status: refusal.status)
        }
        site.refreshSoon()
        return .redirect(to: SiteURL.deployment + "?saved=" + result.commit.id.hex)
    }

    // MARK: - Answers

    private func formPage(_ request: Request, snapshot: Snapshot, version: String?, inputs: [String: String], errors: [String: String],
                          general: [String], status: HTTPStatus) throws -> Response {
        let (token, cookie) = site.tokens.issue(for: request, purpose: SiteURL.deploymentEdit)
        let values = deploymentForm(request).values(title: "Edit the deployment", action: SiteURL.deploymentEdit, token: token,
                                                    version: version, inputs: inputs, errors: errors, general: general)
        return site.html(try site.renderer(snapshot).page("form", title: "Edit the deployment", kind: nil, values), status: status,
                         setCookie: cookie)
    }

    /// The conflict page: the other change as a diff, and the form with the user's input now
    /// based on the current version (saving again is a deliberate overwrite).
    private func conflict(_ request: Request, _ submission: URLEncodedForm, basedOn: ObjectID?, current: DeploymentFile?) throws -> Response {
        let snapshot = try site.head()
        let (token, cookie) = site.tokens.issue(for: request, purpose: SiteURL.deploymentEdit)
        var values = deploymentForm(request).values(title: "Conflict: the deployment", action: SiteURL.deploymentEdit, token: token,
                                                    version: current?.version?.hex, inputs: submission.inputs, errors: [:], general: [])
        let changes = (try? site.repository.deploymentDiff(from: basedOn, to: current?.version)) ?? []
        values["changes"] = ChangeValues.rows(changes, kind: nil, role: request.principal.role)
        // A removed file is created again from the form (there is nothing to lose).
        values["deleted"] = false
        if let last = try? site.repository.deploymentHistory(limit: 1).first { values["otherCommit"] = ChangeValues.otherCommit(last, role: request.principal.role) }
        return site.html(try site.renderer(snapshot).page("conflict", title: "Conflict", kind: nil, values), status: .conflict, setCookie: cookie)
    }
}
