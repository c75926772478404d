import Auth
import ConfigRepo
import SiteGen
import WebServer

/// New, edit and delete for every kind of object: GET shows the form with its token, POST
/// validates and makes one commit by the acting user, then 303 to the object's page — or the
/// form again with the input kept (422 invalid, 409 conflict with the other change as a diff).
/// API keys have their own form (`APIKeysController`).
struct ObjectFormsController: Feature {
    let site: SiteService

    func mount(on router: inout Router) {
        router.get("/backoffice/:kind/new", blocking: site.signedIn { [self] request in try newForm(request) })
        router.post("/backoffice/:kind/new", blocking: site.signedIn { [self] request in try create(request) })
        router.get("/backoffice/:kind/:id/edit", blocking: site.signedIn { [self] request in try editForm(request) })
        router.post("/backoffice/:kind/:id/edit", blocking: site.signedIn { [self] request in try save(request) })
        router.get("/backoffice/:kind/:id/delete", blocking: site.signedIn { [self] request in try deleteForm(request) })
        router.post("/backoffice/:kind/:id/delete", blocking: site.signedIn { [self] request in try delete(request) })
    }

    /// The kind of the `:kind` parameter, for an editor of it (the gate checks the same).
    func editableKind(_ request: Request) throws -> Kind {
        let kind = try site.kind(request)
        guard request.principal.mayEdit(kind) else { throw HTTPError(.forbidden, "you do not have access to this") }
        return kind
    }

    /// The form of `kind`; `id` picks the fields of an auth strategy's type.
    private func form(_ kind: Kind, _ request: Request, id: String? = nil) -> ObjectForm {
        ObjectForm(kind: kind, role: request.principal.role, box: site.repository.secretBox, id: id)
    }

    /// A new id: for an auth strategy, of the type the domain page asked for (`?type=saml`).
    private func newID(_ kind: Kind, _ request: Request) -> String {
        let id = IdentifierRules.newID(for: kind)
        guard kind == .authStrategy, let type = request.query("type") else { return id }
        let body = id.dropFirst(kind.idPrefixes[0].count)
        switch type {
        case "saml": return "adfs_strat-" + body
        case "ldap": return "ldap_strat-" + body
        default: return id
        }
    }

    /// The new object's id: readable from its name where nobody has it yet
    /// (`Snapshot.readableID(for:system:)`), else the form's random one. An auth strategy keeps
    /// the form's id (its prefix says its type).
    private func readableID(for document: ConfigDocument, formID: String, system: String?, in snapshot: Snapshot) -> String {
        guard document.kind != .authStrategy, snapshot.document(document.kind, formID) == nil else { return formID }
        return snapshot.readableID(for: document, system: system) ?? formID
    }

    // MARK: - GET

    func newForm(_ request: Request) throws -> Response {
        let kind = try editableKind(request)
        let snapshot = try site.head()
        let action = SiteURL.new(kind)
        let (token, cookie) = site.tokens.issue(for: request, purpose: action)
        let id = newID(kind, request)
        var hidden = ["_id": id]
        let form = form(kind, request, id: id)
        var inputs = form.inputs(for: nil)
        if kind == .authStrategy, let domain = request.query("domain"), snapshot.document(.domain, domain) != nil {
            inputs["authority_id"] = domain
        }
        if kind == .module, let system = request.query("system"), snapshot.document(.system, system) != nil {
            hidden["_add_to_system"] = system
        }
        if kind == .zone, let parent = request.query("parent") { inputs["parent_id"] = parent }
        // "Add driver" from a repository's page: filled from the driver's metadata.
        let prefill = kind == .driver ? site.driverRepositories.flatMap { DriverPrefill.from(request, repositories: $0) } : nil
        if let prefill { inputs.merge(prefill.inputs, uniquingKeysWith: { _, new in new }) }
        var values = FormPage(form: form, snapshot: snapshot).values(
            title: "New \(kind.noun)", action: action, token: token, version: nil, inputs: inputs, errors: [:], general: [],
            hidden: hidden, cancelURL: SiteURL.list(kind))
        if prefill?.waiting == true { values["refresh"] = "2" }
        return site.html(try site.renderer(snapshot, flash: prefill?.notice).page("form", title: "New \(kind.noun)", kind: kind, values),
                         setCookie: cookie)
    }

    func editForm(_ request: Request) throws -> Response {
        let ref = ObjectRef(try editableKind(request), request.parameter("id") ?? "")
        let snapshot = try site.head()
        guard let document = snapshot.document(ref) else { throw HTTPError(.notFound, "\(ref) does not exist") }
        let action = SiteURL.edit(ref)
        let (token, cookie) = site.tokens.issue(for: request, purpose: action)
        let form = form(ref.kind, request, id: ref.id)
        let title = "Edit \(ObjectLabels.name(document, in: snapshot))"
        var inputs = form.inputs(for: document)
        // "Pin" on a driver's build page: the commit picked, saved like any edit.
        if ref.kind == .driver, let commit = request.query("commit"), !commit.isEmpty { inputs["commit"] = commit }
        let values = FormPage(form: form, snapshot: snapshot).values(
            title: title, action: action, token: token, version: document.version?.hex, inputs: inputs,
            errors: [:], general: [], cancelURL: SiteURL.detail(ref))
        return site.html(try site.renderer(snapshot).page("form", title: title, kind: ref.kind, values), setCookie: cookie)
    }

    func deleteForm(_ request: Request) throws -> Response {
        try deletePage(ObjectRef(try editableKind(request), request.parameter("id") ?? ""), request, error: nil)
    }

    private func deletePage(_ ref: ObjectRef, _ request: Request, error: String?, status: HTTPStatus = .ok) throws -> Response {
        let snapshot = try site.head()
        guard let document = snapshot.document(ref) else { throw HTTPError(.notFound, "\(ref) does not exist") }
        let (token, cookie) = site.tokens.issue(for: request, purpose: SiteURL.delete(ref))
        let values = DeletePage(snapshot: snapshot).values(document, token: token, error: error)
        return site.html(try site.renderer(snapshot).page("delete", title: "Delete \(document.displayName)", kind: ref.kind, values),
                         status: status, setCookie: cookie)
    }

    // MARK: - POST

    func create(_ request: Request) throws -> Response {
        let kind = try editableKind(request)
        let submission = try URLEncodedForm(request)
        try site.tokens.check(request, submission)
        guard let formID = submission["_id"], IdentifierRules.isValidID(formID, of: kind) else {
            throw HTTPError(.badRequest, "the form has no valid new id; reload the form")
        }
        if let created = alreadyCreated(formID, request) { return .redirect(to: SiteURL.detail(created)) }
        let snapshot = try site.head()
        let form = form(kind, request, id: formID)
        // Ticked names joined to their lists, names typed for ids resolved (`ReferencePicker`).
        let (inputs, pickErrors) = ReferencePicker.resolve(submission.inputs, fields: form.fields, in: snapshot)
        var decoded = form.decode(inputs, onto: ConfigDocument(ref: ObjectRef(kind, formID)))
        decoded.errors.merge(pickErrors) { first, _ in first }
        let id = readableID(for: decoded.document, formID: formID, system: submission["_add_to_system"], in: snapshot)
        decoded.document = ConfigDocument(ref: ObjectRef(kind, id), members: decoded.document.members)
        let ref = decoded.document.ref
        var hidden = ["_id": formID]
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
        let again = FormAgain(site: site, request: request, form: form, snapshot: snapshot, title: "New \(kind.noun)",
                              action: SiteURL.new(kind), version: nil, inputs: inputs, hidden: hidden,
                              cancelURL: SiteURL.list(kind))
        if !decoded.errors.isEmpty { return try again.page(errors: decoded.errors, general: []) }
        if added != nil, let system = snapshot.document(.system, submission["_add_to_system"] ?? ""),
           let refusal = SystemMembership.logicRefusal(adding: decoded.document, to: system, in: snapshot) {
            return try again.page(errors: [:], general: ["Not saved: \(refusal.message)."])
        }
        let response = try commit(edits, request, submission, form: form, target: ref, again: again)
        if response.status == .seeOther {
            site.createdObjects.record(ref, formID: formID, userID: request.principal.userID)
        } else if response.status == .conflict, let created = alreadyCreated(formID, request) {
            // The same form's other post won the race and created the object.
            return .redirect(to: SiteURL.detail(created))
        }
        return response
    }

    /// The object this person's form `formID` already created (posted twice), if it still exists.
    private func alreadyCreated(_ formID: String, _ request: Request) -> ObjectRef? {
        guard let ref = site.createdObjects.created(formID: formID, userID: request.principal.userID),
              (try? site.head().document(ref)) != nil else { return nil }
        return ref
    }

    func save(_ request: Request) throws -> Response {
        let kind = try editableKind(request)
        let ref = ObjectRef(kind, request.parameter("id") ?? "")
        let submission = try URLEncodedForm(request)
        try site.tokens.check(request, submission)
        let snapshot = try site.head()
        guard var base = snapshot.document(ref) else {
            return try site.message("Not saved", "\(ref) was deleted; nothing was saved.", status: .conflict, back: SiteURL.list(kind))
        }
        // The form says which version the user edited; a different current version is a conflict.
        base.version = submission["_version"].flatMap(ObjectID.init(hex:))
        let form = form(kind, request, id: ref.id)
        let (inputs, pickErrors) = ReferencePicker.resolve(submission.inputs, fields: form.fields, in: snapshot)
        var decoded = form.decode(inputs, onto: base)
        decoded.errors.merge(pickErrors) { first, _ in first }
        let again = FormAgain(site: site, request: request, form: form, snapshot: snapshot, title: "Edit \(ObjectLabels.name(base, in: snapshot))",
                              action: SiteURL.edit(ref), version: submission["_version"], inputs: inputs, hidden: [:],
                              cancelURL: SiteURL.detail(ref))
        if !decoded.errors.isEmpty { return try again.page(errors: decoded.errors, general: []) }
        return try commit([.save(decoded.document)], request, submission, form: form, target: ref, again: again)
    }

    func delete(_ request: Request) throws -> Response {
        let kind = try editableKind(request)
        let ref = ObjectRef(kind, request.parameter("id") ?? "")
        let submission = try URLEncodedForm(request)
        try site.tokens.check(request, submission)
        do {
            _ = try site.repository.apply([.delete(ref, version: submission["_version"].flatMap(ObjectID.init(hex:)))],
                                          author: request.principal.signature, actingAs: request.principal.role)
        } catch .notFound {
            // Already gone: what the user wanted.
        } catch {
            let refusal = WriteRefusal(error, .delete, subject: "this \(kind.noun)")
            guard refusal.status != .internalServerError else { return try site.message(refusal) }
            return try deletePage(ref, request, error: refusal.message, status: refusal.status)
        }
        // A removed user's sessions and tokens end with the user.
        if kind == .user { site.signOutEverywhere.signOut(ref.id) }
        site.refreshSoon()
        return .redirect(to: SiteURL.list(kind) + "?deleted=" + FormEncoding.encode(ref.id))
    }

    // MARK: - Committing

    /// Applies the edits as one commit by the acting user; 303 to the object's page, or the
    /// form again (422 invalid, 409 conflict) with the input kept.
    private func commit(_ edits: [Edit], _ request: Request, _ submission: URLEncodedForm, form: ObjectForm, target: ObjectRef,
                        again: FormAgain) throws -> Response {
        let result: WriteResult
        do {
            result = try site.repository.apply(edits, author: request.principal.signature, actingAs: request.principal.role)
        } catch {
            let refusal = WriteRefusal(error, .save, subject: "this \(target.kind.noun)")
            switch error {
            case .invalid:
                let (errors, general) = refusal.fieldErrors(path: target.path, inputName: form.inputName(for:))
                return try again.page(errors: errors, general: general)
            case .conflict(let ref, let basedOn, let current):
                return try conflict(request, submission, form: form, ref: ref, basedOn: basedOn, current: current)
            case .notPermitted:
                // The form again with the input kept, each refusal beside its field when it has one.
                let (errors, general) = refusal.clearanceErrors(paths: [target.path, target.shardedPath], inputName: form.inputName(for:))
                return try again.page(errors: errors, general: general, status: refusal.status)
            default:
                return try site.message(refusal)
            }
        }
        site.refreshSoon()
        return .redirect(to: SiteURL.detail(target) + "?saved=" + result.commit.id.hex)
    }

    /// The conflict page: the other person's change as a diff, and the form with the user's
    /// input now based on the current version (saving again is a deliberate overwrite).
    private func conflict(_ request: Request, _ submission: URLEncodedForm, form: ObjectForm, ref: ObjectRef, basedOn: ObjectID?,
                          current: ConfigDocument?) throws -> Response {
        let snapshot = try site.head()
        let changes = (try? site.repository.diff(ref, from: basedOn, to: current?.version)) ?? []
        let action = ref.kind == form.kind && current != nil && request.path.hasSuffix("/edit") ? SiteURL.edit(ref) : request.path
        let (token, cookie) = site.tokens.issue(for: request, purpose: action)
        var values = FormPage(form: form, snapshot: snapshot).values(
            title: "Conflict: \(current?.displayName ?? ref.id)", action: action, token: token, version: current?.version?.hex,
            inputs: submission.inputs, errors: [:], general: [], hidden: submission.values.filter { $0.key == "_id" || $0.key == "_add_to_system" },
            cancelURL: SiteURL.detail(ref))
        values["changes"] = ChangeValues.rows(changes, kind: ref.kind, role: request.principal.role)
        values["deleted"] = .bool(current == nil)
        if let last = try? site.repository.history(of: ref, limit: 1).first { values["otherCommit"] = ChangeValues.otherCommit(last, role: request.principal.role) }
        return site.html(try site.renderer(snapshot).page("conflict", title: "Conflict", kind: ref.kind, values), status: .conflict,
                         setCookie: cookie)
    }
}

/// An object form shown again after a refused POST, with the input as typed and the errors.
struct FormAgain {
    let site: SiteService
    let request: Request
    let form: ObjectForm
    let snapshot: Snapshot
    let title: String
    let action: String
    let version: String?
    let inputs: [String: String]
    let hidden: [String: String]
    let cancelURL: String

    /// The form with `errors` beside their inputs and `general` above them (422 unless told).
    func page(errors: [String: String], general: [String], status: HTTPStatus = .unprocessableContent) throws -> Response {
        let (token, cookie) = site.tokens.issue(for: request, purpose: action)
        let values = FormPage(form: form, snapshot: snapshot).values(
            title: title, action: action, token: token, version: version, inputs: inputs, errors: errors, general: general,
            hidden: hidden, cancelURL: cancelURL)
        return site.html(try site.renderer(snapshot).page("form", title: title, kind: form.kind, values), status: status,
                         setCookie: cookie)
    }
}
