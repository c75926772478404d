import ConfigRepo
import Foundation
import SiteGen

/// The deployment file (`backoffice.json`) in the site: its page (support and admins; global
/// settings filtered by level like an object's), its form (admins: GET shows, POST makes one
/// commit), its history with revert, and a module's effective settings.
extension SiteApp {
    /// Access rules of the deployment routes. `serve` refuses to start with a route without one.
    static func addDeploymentAccessRules(to policy: inout AccessPolicy) {
        policy.set(.get, "/backoffice/deployment", .role(.support))
        policy.set(.get, "/backoffice/deployment/history", .role(.support))
        policy.set(.get, "/backoffice/deployment/edit", .role(.admin))
        policy.set(.post, "/backoffice/deployment/edit", .role(.admin))
        policy.set(.post, "/backoffice/deployment/revert", .role(.admin))
    }

    func mountDeployment(on router: inout Router) {
        router.get("/backoffice/deployment") { [self] request in try self.deploymentPage(request) }
        router.get("/backoffice/deployment/history") { [self] request in try self.deploymentHistory(request, error: nil) }
        router.get("/backoffice/deployment/edit") { [self] request in try self.deploymentForm(request) }
        router.post("/backoffice/deployment/edit") { [self] request in try await self.saveDeployment(request) }
        router.post("/backoffice/deployment/revert") { [self] request in try await self.revertDeployment(request) }
    }

    // MARK: - Pages

    func deploymentPage(_ request: Request) throws -> Response {
        let snapshot = try head()
        let values = DeploymentPage(file: snapshot.deployment).values(
            role: request.principal.role, box: repository.secretBox, canEdit: request.principal.has(.admin))
        return html(try renderer(snapshot, flash: savedNotice(request)).page("deployment", title: "Deployment", kind: nil, values))
    }

    func deploymentForm(_ request: Request) throws -> Response {
        let snapshot = try head()
        let form = DeploymentForm(role: request.principal.role, box: repository.secretBox)
        let (token, cookie) = token(for: request, purpose: SiteURL.deploymentEdit)
        let values = form.values(title: "Edit the deployment", action: SiteURL.deploymentEdit, token: token,
                                 version: snapshot.deployment?.version?.hex, inputs: form.inputs(for: snapshot.deployment),
                                 errors: [:], general: [])
        return html(try renderer(snapshot).page("form", title: "Edit the deployment", kind: nil, values), setCookie: cookie)
    }

    func deploymentHistory(_ request: Request, error: String?, status: HTTPStatus = .ok) throws -> Response {
        let snapshot = try head()
        let commits: [CommitInfo]
        do { commits = try repository.deploymentHistory(limit: Self.historyLimit) } catch {
            throw HTTPError(.internalServerError, "cannot read the history: \(error)")
        }
        let canRevert = request.principal.has(.admin)
        let (token, cookie) = canRevert ? token(for: request, purpose: SiteURL.deploymentRevert) : ("", nil)
        let entries: [TemplateValue] = commits.map { commit in
            let changes = (try? repository.deploymentChanges(in: commit.id)) ?? []
            return ["message": HistoryValues.subject(commit, role: request.principal.role),
                    "author": .string(commit.author.name + " <" + commit.author.email + ">"),
                    "date": .string(commit.author.date.map { HistoryValues.format($0) } ?? ""), "short": .string(commit.id.short),
                    "id": .string(commit.id.hex), "changes": HistoryValues.changes(changes, kind: nil, role: request.principal.role)]
        }
        let values: [String: TemplateValue] = [
            "name": "the deployment", "noun": "deployment file", "kindTitle": "Overview",
            "listURL": .string(SiteURL.root), "detailURL": .string(SiteURL.deployment),
            "revertURL": .string(SiteURL.deploymentRevert), "token": .string(token), "commits": .list(entries), "error": .optional(error),
        ]
        return html(try renderer(snapshot).page("history", title: "History of the deployment", kind: nil, values),
                    status: status, setCookie: cookie)
    }

    /// `GET /backoffice/modules/ID/settings`: the merge of every layer the module gets, as the
    /// reader's role may see it (viewers of modules only, by the access policy).
    func effectiveSettingsPage(_ moduleID: String, _ request: Request) throws -> Response {
        let snapshot = try head()
        guard let module = snapshot.document(.module, moduleID) else { throw HTTPError(.notFound, "module \(moduleID) does not exist") }
        let values = EffectiveSettingsPage(snapshot: snapshot).values(module: module, box: repository.secretBox, role: request.principal.role)
        return html(try renderer(snapshot).page("effective-settings", title: "Effective settings of " + ObjectLabels.name(module, in: snapshot),
                                                kind: .module, values))
    }

    // MARK: - POST

    /// `POST /backoffice/deployment/edit`: one commit by the acting admin; 303 to the
    /// deployment page, or the form again (422 invalid with field errors, 409 conflict).
    func saveDeployment(_ request: Request) async throws -> Response {
        let submission = FormSubmission(request)
        try checkToken(request, submission)
        return try commitDeployment(request, submission)
    }

    @inline(never)
    private func commitDeployment(_ request: Request, _ submission: FormSubmission) throws -> Response {
        let snapshot = try head()
        var base = snapshot.deployment ?? DeploymentFile()
        // The form says which version the user edited; a different current version is a conflict.
        base.version = submission["_version"].flatMap(ObjectID.init(hex:))
        let form = DeploymentForm(role: request.principal.role, box: repository.secretBox)
        let decoded = form.decode(submission.inputs, onto: base)
        if !decoded.errors.isEmpty { return try deploymentFormAgain(request, submission, errors: decoded.errors, general: []) }
        let result: WriteResult
        do {
            result = try repository.apply([.saveDeployment(decoded.file)], author: request.principal.signature,
                                          actingAs: request.principal.role)
        } catch .notPermitted(let refused) {
            var response = try deploymentFormAgain(request, submission, errors: [:], general: refused.map(\.description))
            response.status = .forbidden
            return response
        } catch .invalid(let problems) {
            var errors: [String: String] = [:]
            var general: [String] = []
            for problem in problems {
                if problem.path == RepoPath.deploymentFile, let name = form.inputName(for: problem.field) {
                    let text = problem.field + ": " + problem.message
                    errors[name] = errors[name].map { $0 + "; " + text } ?? text
                } else {
                    general.append(problem.description)
                }
            }
            return try deploymentFormAgain(request, submission, errors: errors, general: general)
        } catch .deploymentConflict(let basedOn, let current) {
            return try deploymentConflict(request, submission, basedOn: basedOn, current: current)
        } catch .secretsUnavailable(let reason) {
            return try message("Not saved", "Secrets cannot be encrypted: \(reason)", status: .internalServerError)
        } catch {
            throw HTTPError(.internalServerError, "the configuration store failed: \(error)")
        }
        refreshSoon()
        return .redirect(to: SiteURL.deployment + "?saved=" + result.commit.id.hex)
    }

    func revertDeployment(_ request: Request) async throws -> Response {
        let submission = FormSubmission(request)
        try checkToken(request, submission)
        return try revertDeploymentCommit(request, submission)
    }

    @inline(never)
    private func revertDeploymentCommit(_ request: Request, _ submission: FormSubmission) throws -> Response {
        guard let commit = submission["commit"].flatMap(ObjectID.init(hex:)) else {
            return try deploymentHistory(request, error: "Choose a commit to revert.", status: .badRequest)
        }
        let result: WriteResult
        do {
            result = try repository.revert(commit, author: request.principal.signature, scope: .deployment,
                                           actingAs: request.principal.role)
        } catch .notInHistory {
            return try deploymentHistory(request, error: "Not reverted: that commit is not in the history of the deployment file.",
                                         status: .unprocessableContent)
        } catch .notPermitted(let refused) {
            return try deploymentHistory(request, error: "Not reverted, your role may not make this change: "
                                         + refused.map(\.description).joined(separator: "; "), status: .forbidden)
        } catch .invalid(let problems) {
            return try deploymentHistory(request, error: "Not reverted, the result would be invalid: "
                                         + problems.map(\.description).joined(separator: "; "), status: .unprocessableContent)
        } catch .store(.revertConflict(let paths)) {
            return try deploymentHistory(request, error: "Not reverted: later commits changed " + paths.joined(separator: ", ") + ".",
                                         status: .conflict)
        } catch {
            return try deploymentHistory(request, error: "Not reverted: \(error)", status: .conflict)
        }
        refreshSoon()
        return .redirect(to: SiteURL.deployment + "?saved=" + result.commit.id.hex)
    }

    // MARK: - Answers

    @inline(never)
    private func deploymentFormAgain(_ request: Request, _ submission: FormSubmission, errors: [String: String],
                                     general: [String]) throws -> Response {
        let snapshot = try head()
        let form = DeploymentForm(role: request.principal.role, box: repository.secretBox)
        let (token, cookie) = token(for: request, purpose: SiteURL.deploymentEdit)
        let values = form.values(title: "Edit the deployment", action: SiteURL.deploymentEdit, token: token, version: submission["_version"],
                                 inputs: submission.inputs, errors: errors, general: general)
        return html(try renderer(snapshot).page("form", title: "Edit the deployment", kind: nil, values), status: .unprocessableContent,
                    setCookie: cookie)
    }

    /// The conflict page: the other change as a diff, and the form with the user's input now
    /// based on the current version (saving again is a deliberate overwrite).
    @inline(never)
    private func deploymentConflict(_ request: Request, _ submission: FormSubmission, basedOn: ObjectID?,
                                    current: DeploymentFile?) throws -> Response {
        let snapshot = try head()
        let form = DeploymentForm(role: request.principal.role, box: repository.secretBox)
        let (token, cookie) = token(for: request, purpose: SiteURL.deploymentEdit)
        var values = form.values(title: "Conflict: the deployment", action: SiteURL.deploymentEdit, token: token,
                                 version: current?.version?.hex, inputs: submission.inputs, errors: [:], general: [])
        let changes = (try? repository.deploymentDiff(from: basedOn, to: current?.version)) ?? []
        values["changes"] = HistoryValues.changes(changes, kind: nil, role: request.principal.role)
        // A removed file is created again from the form (there is nothing to lose).
        values["deleted"] = false
        if let last = try? repository.deploymentHistory(limit: 1).first {
            values["otherCommit"] = ["message": HistoryValues.subject(last, role: request.principal.role), "author": .string(last.author.name),
                                     "id": .string(last.id.short)]
        }
        return html(try renderer(snapshot).page("conflict", title: "Conflict", kind: nil, values), status: .conflict, setCookie: cookie)
    }
}
