import ConfigRepo
import Foundation
import SiteGen

/// New, edit and delete: GET shows the form with its token, POST validates and makes one commit.
extension SiteApp {
    // MARK: - GET

    func newForm(_ kind: Kind, _ request: Request) throws -> Response {
        if kind == .apiKey { return try apiKeyForm(request, inputs: ["user": request.query("user") ?? ""], error: nil) }
        let snapshot = try head()
        let action = SiteURL.new(kind)
        let (token, cookie) = token(for: request, purpose: action)
        var hidden = ["_id": IdentifierRules.newID(for: kind)]
        let form = ObjectForm(kind: kind, role: request.principal.role, box: repository.secretBox)
        var inputs = form.inputs(for: nil)
        if kind == .module, let system = request.query("system"), snapshot.document(.system, system) != nil {
            hidden["_add_to_system"] = system
        }
        if kind == .zone, let parent = request.query("parent") { inputs["parent_id"] = parent }
        let values = FormPage(form: form, snapshot: snapshot).values(
            title: "New \(kind.noun)", action: action, token: token, version: nil, inputs: inputs, errors: [:], general: [],
            hidden: hidden, cancelURL: SiteURL.list(kind))
        return html(try renderer(snapshot).page("form", title: "New \(kind.noun)", kind: kind, values), setCookie: cookie)
    }

    func editForm(_ ref: ObjectRef, _ request: Request) throws -> Response {
        let snapshot = try head()
        guard let document = snapshot.document(ref) else { throw HTTPError(.notFound, "\(ref) does not exist") }
        let action = SiteURL.edit(ref)
        let (token, cookie) = token(for: request, purpose: action)
        let form = ObjectForm(kind: ref.kind, role: request.principal.role, box: repository.secretBox)
        let title = "Edit \(ObjectLabels.name(document, in: snapshot))"
        let values = FormPage(form: form, snapshot: snapshot).values(
            title: title, action: action, token: token, version: document.version?.hex, inputs: form.inputs(for: document),
            errors: [:], general: [], cancelURL: SiteURL.detail(ref))
        return html(try renderer(snapshot).page("form", title: title, kind: ref.kind, values), setCookie: cookie)
    }

    func deleteForm(_ ref: ObjectRef, _ request: Request, error: String? = nil, status: HTTPStatus = .ok) throws -> Response {
        let snapshot = try head()
        guard let document = snapshot.document(ref) else { throw HTTPError(.notFound, "\(ref) does not exist") }
        let action = SiteURL.delete(ref)
        let (token, cookie) = token(for: request, purpose: action)
        let cascade = snapshot.references.referrers(of: ref).sorted().map { "\($0) refers to it and will be updated" }
        let values: [String: TemplateValue] = [
            "name": .string(document.displayName), "id": .string(ref.id), "noun": .string(ref.kind.noun),
            "kindTitle": .string(SiteKinds.title(ref.kind)), "listURL": .string(SiteURL.list(ref.kind)),
            "detailURL": .string(SiteURL.detail(ref)), "action": .string(action), "token": .string(token),
            "version": .optional(document.version?.hex), "error": .optional(error),
            "cascade": .list(cascade.prefix(50).map { .string($0) }), "hasCascade": .bool(!cascade.isEmpty),
        ]
        return html(try renderer(snapshot).page("delete", title: "Delete \(document.displayName)", kind: ref.kind, values),
                    status: status, setCookie: cookie)
    }

    // MARK: - POST

    func create(_ request: Request) async throws -> Response {
        let kind = try kind(request)
        let submission = FormSubmission(request)
        try checkToken(request, submission)
        if kind == .apiKey { return try createAPIKey(request, submission) }
        guard let id = submission["_id"], IdentifierRules.isValidID(id, of: kind) else {
            throw HTTPError(.badRequest, "the form has no valid new id; reload the form")
        }
        let ref = ObjectRef(kind, id)
        let snapshot = try head()
        let form = ObjectForm(kind: kind, role: request.principal.role, box: repository.secretBox)
        var decoded = form.decode(submission.inputs, onto: ConfigDocument(ref: ref))
        var hidden = ["_id": id]
        var added: ConfigDocument?
        if kind == .module, let systemID = submission["_add_to_system"], var system = snapshot.document(.system, systemID) {
            // Added from a system's page: listed in that system, and a logic module belongs to it.
            hidden["_add_to_system"] = systemID
            system.set("modules", strings: SystemView(system).moduleIDs + [id])
            added = system
            if snapshot.driver(ofModule: decoded.document)?.role == .logic, decoded.document.string("control_system_id") == nil {
                decoded.document.set("control_system_id", string: systemID)
            }
        }
        let edits: [Edit] = [.save(decoded.document)] + (added.map { [.save($0)] } ?? [])
        let failure = { (errors: [String: String], general: [String]) throws -> Response in
            try self.formAgain(request, form: form, snapshot: snapshot, title: "New \(kind.noun)", action: SiteURL.new(kind),
                               version: nil, inputs: submission.inputs, errors: errors, general: general, hidden: hidden,
                               cancelURL: SiteURL.list(kind))
        }
        if !decoded.errors.isEmpty { return try failure(decoded.errors, []) }
        return try commit(edits, request: request, form: form, target: ref, onInvalid: failure)
    }

    func save(_ request: Request) async throws -> Response {
        let kind = try kind(request)
        let ref = ObjectRef(kind, request.parameter("id") ?? "")
        let submission = FormSubmission(request)
        try checkToken(request, submission)
        let snapshot = try head()
        guard var base = snapshot.document(ref) else {
            return try message("Not saved", "\(ref) was deleted; nothing was saved.", status: .conflict, back: SiteURL.list(kind))
        }
        // The form says which version the user edited; a different current version is a conflict.
        base.version = submission["_version"].flatMap(ObjectID.init(hex:))
        let form = ObjectForm(kind: kind, role: request.principal.role, box: repository.secretBox)
        let decoded = form.decode(submission.inputs, onto: base)
        let title = "Edit \(ObjectLabels.name(base, in: snapshot))"
        let failure = { (errors: [String: String], general: [String]) throws -> Response in
            try self.formAgain(request, form: form, snapshot: snapshot, title: title, action: SiteURL.edit(ref),
                               version: submission["_version"], inputs: submission.inputs, errors: errors, general: general,
                               hidden: [:], cancelURL: SiteURL.detail(ref))
        }
        if !decoded.errors.isEmpty { return try failure(decoded.errors, []) }
        return try commit([.save(decoded.document)], request: request, form: form, target: ref, onInvalid: failure)
    }

    func delete(_ request: Request) async throws -> Response {
        let kind = try kind(request)
        let ref = ObjectRef(kind, request.parameter("id") ?? "")
        let submission = FormSubmission(request)
        try checkToken(request, submission)
        do {
            _ = try repository.apply([.delete(ref, version: submission["_version"].flatMap(ObjectID.init(hex:)))],
                                     author: request.principal.signature, actingAs: request.principal.role)
        } catch .notPermitted(let refused) {
            return try deleteForm(ref, request, error: "Not deleted: " + refused.map(\.description).joined(separator: "; "),
                                  status: .forbidden)
        } catch .conflict {
            return try deleteForm(ref, request, error: "Someone changed this \(kind.noun) since you opened this page; check it and delete again.",
                                  status: .conflict)
        } catch .invalid(let problems) {
            return try deleteForm(ref, request, error: "Not deleted: " + problems.map(\.description).joined(separator: "; "),
                                  status: .unprocessableContent)
        } catch .notFound {
            return .redirect(to: SiteURL.list(kind) + "?deleted=" + FormEncoding.encode(ref.id))
        } catch {
            throw HTTPError(.internalServerError, error.description)
        }
        refreshSoon()
        return .redirect(to: SiteURL.list(kind) + "?deleted=" + FormEncoding.encode(ref.id))
    }

    // MARK: - Committing

    /// Applies the edits as one commit by the acting user; 303 to the object's page, or the
    /// form again (422 invalid, 409 conflict) with the input kept.
    private func commit(_ edits: [Edit], request: Request, form: ObjectForm, target: ObjectRef,
                        onInvalid: ([String: String], [String]) throws -> Response) throws -> Response {
        let result: WriteResult
        do {
            result = try repository.apply(edits, author: request.principal.signature, actingAs: request.principal.role)
        } catch .notPermitted(let refused) {
            // The form again with the input kept, each refusal beside its field when it has one.
            var errors: [String: String] = [:]
            var general: [String] = []
            for requirement in refused {
                if requirement.path == target.path || requirement.path == target.shardedPath,
                   let name = requirement.field.flatMap(form.inputName(for:)) {
                    errors[name] = errors[name].map { $0 + "; " + requirement.reason } ?? "Not saved: " + requirement.reason
                } else {
                    general.append("Not saved, your role may not make this change: " + requirement.description)
                }
            }
            var response = try onInvalid(errors, general)
            response.status = .forbidden
            return response
        } catch .invalid(let problems) {
            var errors: [String: String] = [:]
            var general: [String] = []
            for problem in problems {
                if problem.path == target.path, let name = form.inputName(for: problem.field) {
                    errors[name] = errors[name].map { $0 + "; " + problem.message } ?? problem.message
                } else {
                    general.append(problem.description)
                }
            }
            return try onInvalid(errors, general)
        } catch .conflict(let ref, let basedOn, let current) {
            return try conflict(request, form: form, ref: ref, basedOn: basedOn, current: current)
        } catch .deploymentConflict {
            return try message("Not saved", "The deployment file changed meanwhile; nothing was saved.", status: .conflict)
        } catch .notFound(let ref) {
            return try message("Not saved", "\(ref) does not exist (any more); nothing was saved.", status: .notFound)
        } catch .secretsUnavailable(let reason) {
            return try message("Not saved", "Secrets cannot be encrypted: \(reason)", status: .internalServerError)
        } catch {
            throw HTTPError(.internalServerError, "the configuration store failed: \(error)")
        }
        refreshSoon()
        return .redirect(to: SiteURL.detail(target) + "?saved=" + result.commit.id.hex)
    }

    private func formAgain(_ request: Request, form: ObjectForm, snapshot: Snapshot, title: String, action: String, version: String?,
                           inputs: [String: String], errors: [String: String], general: [String], hidden: [String: String],
                           cancelURL: String) throws -> Response {
        let (token, cookie) = token(for: request, purpose: action)
        let values = FormPage(form: form, snapshot: snapshot).values(
            title: title, action: action, token: token, version: version, inputs: inputs, errors: errors, general: general,
            hidden: hidden, cancelURL: cancelURL)
        return html(try renderer(snapshot).page("form", title: title, kind: form.kind, values), status: .unprocessableContent,
                    setCookie: cookie)
    }

    /// The conflict page: the other person's change as a diff, and the form with the user's
    /// input now based on the current version (saving again is a deliberate overwrite).
    private func conflict(_ request: Request, form: ObjectForm, ref: ObjectRef, basedOn: ObjectID?, current: ConfigDocument?) throws -> Response {
        let snapshot = try head()
        let submission = FormSubmission(request)
        let changes = (try? repository.diff(ref, from: basedOn, to: current?.version)) ?? []
        let action = ref.kind == form.kind && current != nil && request.path.hasSuffix("/edit") ? SiteURL.edit(ref) : request.path
        let (token, cookie) = token(for: request, purpose: action)
        var values = FormPage(form: form, snapshot: snapshot).values(
            title: "Conflict: \(current?.displayName ?? ref.id)", action: action, token: token, version: current?.version?.hex,
            inputs: submission.inputs, errors: [:], general: [], hidden: submission.values.filter { $0.key == "_id" || $0.key == "_add_to_system" },
            cancelURL: SiteURL.detail(ref))
        values["changes"] = HistoryValues.changes(changes, kind: ref.kind, role: request.principal.role)
        values["deleted"] = .bool(current == nil)
        if let last = try? repository.history(of: ref, limit: 1).first {
            values["otherCommit"] = ["message": HistoryValues.subject(last, role: request.principal.role), "author": .string(last.author.name),
                                     "id": .string(last.id.short)]
        }
        return html(try renderer(snapshot).page("conflict", title: "Conflict", kind: ref.kind, values), status: .conflict, setCookie: cookie)
    }
}
