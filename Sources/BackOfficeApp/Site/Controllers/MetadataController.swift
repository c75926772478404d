import Auth
import ConfigRepo
import SiteGen
import WebServer

/// A zone's, system's or user's metadata in the site: the editor of one entry (its JSON, and a
/// form generated from its schema when it has one), its history and revert. Each save is one
/// commit by the acting user with a message in words. Who may read and write follows
/// `MetadataRights`, the same rules as the REST metadata routes; the access table lets anyone
/// signed in reach these pages and the handlers ask the rules.
///
/// - `GET /backoffice/metadata/:parent_id/new?name=` → the new entry's editor
/// - `GET|POST /backoffice/metadata/:parent_id/:name/edit`
/// - `GET /backoffice/metadata/:parent_id/:name/history`, `POST …/revert`
struct MetadataController: Feature {
    let site: SiteService

    func mount(on router: inout Router) {
        let base = "/backoffice/metadata/:parent_id"
        router.get(base + "/new", blocking: site.signedIn { [self] request in try newEntry(request) })
        router.get(base + "/:name/edit", blocking: site.signedIn { [self] request in try editor(request) })
        router.post(base + "/:name/edit", blocking: site.signedIn { [self] request in try save(request) })
        router.get(base + "/:name/history", blocking: site.signedIn { [self] request in try history(request) })
        router.post(base + "/:name/revert", blocking: site.signedIn { [self] request in try revert(request) })
    }

    /// The zone, system or user the path names, and the entry's name.
    private func entry(_ request: Request, _ snapshot: Snapshot, name: String? = nil) throws -> (parent: ObjectRef, name: String) {
        let id = request.parameter("parent_id") ?? ""
        guard let kind = [Kind.zone, .system, .user].first(where: { snapshot.document($0, id) != nil }) else {
            throw HTTPError(.notFound, "no zone, system or user \(id)")
        }
        let name = name ?? request.parameter("name") ?? ""
        guard IdentifierRules.isValidMetadataName(name) else {
            throw HTTPError(.badRequest, "a metadata name uses letters, digits, _ ~ - and . (it names the file), not “\(name.prefix(64))”")
        }
        return (ObjectRef(kind, id), name)
    }

    private func rights(_ request: Request, _ snapshot: Snapshot) -> MetadataRights {
        MetadataRights(principal: request.principal, snapshot: snapshot)
    }

    /// Refuses, with the 403 page, a reader or writer the metadata's rules do not allow.
    private func checkMayEdit(_ request: Request, _ snapshot: Snapshot, _ parent: ObjectRef, _ stored: ConfigDocument?) throws {
        let rights = rights(request, snapshot)
        guard rights.mayRead(parent), rights.mayWrite(parent, existing: stored) else {
            throw HTTPError(.forbidden, "you do not have access to this: only its owner, its editors, support and admins edit this metadata")
        }
    }

    private func editorFor(_ request: Request, _ snapshot: Snapshot, _ parent: ObjectRef, _ name: String) -> MetadataEditor {
        MetadataEditor(snapshot: snapshot, parent: parent, name: name, mayChangeSchema: rights(request, snapshot).writesAsRole)
    }

    // MARK: - GET

    func newEntry(_ request: Request) throws -> Response {
        let snapshot = try site.head()
        let (parent, name) = try entry(request, snapshot, name: request.query("name") ?? "")
        return .redirect(to: SiteURL.metadataEdit(ObjectRef(.metadata, parent.id + "/" + name)))
    }

    func editor(_ request: Request) throws -> Response {
        let snapshot = try site.head()
        let (parent, name) = try entry(request, snapshot)
        let editor = editorFor(request, snapshot, parent, name)
        try checkMayEdit(request, snapshot, parent, editor.stored)
        return try page(editor, request, inputs: editor.inputs(for: editor.stored), version: editor.stored?.version?.hex,
                        errors: [:], general: [], mode: nil, status: .ok)
    }

    private func page(_ editor: MetadataEditor, _ request: Request, inputs: [String: String], version: String?, errors: [String: String],
                      general: [String], mode: MetadataEditor.Mode?, status: HTTPStatus) throws -> Response {
        let action = SiteURL.metadataEdit(editor.ref)
        let (token, cookie) = site.tokens.issue(for: request, purpose: action)
        let values = editor.values(action: action, token: token, version: version, inputs: inputs, errors: errors, general: general, mode: mode)
        let title = "Metadata \(editor.name)"
        return site.html(try site.renderer(editor.snapshot, flash: site.savedNotice(request)).page("metadata-edit", title: title,
                                                                                                kind: editor.parent.kind, values),
                         status: status, setCookie: cookie)
    }

    // MARK: - POST

    func save(_ request: Request) throws -> Response {
        let submission = try URLEncodedForm(request)
        try site.tokens.check(request, submission)
        let snapshot = try site.head()
        let (parent, name) = try entry(request, snapshot)
        let editor = editorFor(request, snapshot, parent, name)
        let stored = editor.stored
        try checkMayEdit(request, snapshot, parent, stored)
        let mode = MetadataEditor.Mode(rawValue: submission["_mode"] ?? "") ?? .json
        // The version the user edited: a different current version is a conflict.
        var base = stored ?? ConfigDocument(ref: editor.ref)
        base.version = submission["_version"].flatMap(ObjectID.init(hex:))
        let decoded = editor.decode(submission.inputs, mode: mode, onto: base)
        let again = { (errors: [String: String], general: [String], status: HTTPStatus) throws -> Response in
            let inputs = editor.inputs(for: stored).merging(submission.inputs) { _, typed in typed }
            return try page(editor, request, inputs: inputs, version: submission["_version"], errors: errors, general: general,
                            mode: mode, status: status)
        }
        if !decoded.errors.isEmpty || !decoded.general.isEmpty { return try again(decoded.errors, decoded.general, .unprocessableContent) }
        switch rights(request, snapshot).refusal(toWrite: parent, old: stored, new: decoded.document) {
        case nil: break
        case .forbidden: throw HTTPError(.forbidden, "you do not have access to this")
        case .member(let key, let reason): return try again([key: reason], [], .forbidden)
        }
        let terms = MetadataRights.commitTerms(of: request.principal, for: [editor.ref])
        let parentName = snapshot.document(parent).map { ObjectLabels.name($0, in: snapshot) } ?? parent.id
        let message = (stored == nil ? "Add" : "Edit") + " metadata \"\(name)\" of \(parent.kind.noun) \"\(parentName)\""
        let result: WriteResult
        do {
            result = try site.repository.apply([.save(decoded.document)], author: request.principal.signature, message: message,
                                               permits: terms.permits, actingAs: terms.actingAs)
        } catch {
            let refusal = WriteRefusal(error, .save, subject: "this metadata")
            switch error {
            case .invalid:
                let (errors, general) = refusal.fieldErrors(path: editor.ref.path, inputName: { editor.inputName(for: $0, mode: mode) })
                return try again(errors, general, .unprocessableContent)
            case .conflict:
                return try again([:], ["Someone changed this entry since you opened it; the form below keeps your input, based on "
                                       + "the current version. Saving again overwrites their change."], .conflict)
            case .notPermitted, .forbidden:
                return try again([:], [refusal.message], refusal.status)
            default:
                return try site.message(refusal)
            }
        }
        site.refreshSoon()
        return .redirect(to: SiteURL.detail(parent) + "?saved=" + result.commit.id.hex)
    }

    // MARK: - History and revert

    func history(_ request: Request) throws -> Response {
        let snapshot = try site.head()
        let (parent, name) = try entry(request, snapshot)
        guard rights(request, snapshot).mayRead(parent) else { throw HTTPError(.forbidden, "you do not have access to this") }
        return try historyPage(ObjectRef(.metadata, parent.id + "/" + name), parent: parent, request, snapshot, error: nil)
    }

    private func historyPage(_ ref: ObjectRef, parent: ObjectRef, _ request: Request, _ snapshot: Snapshot, error: String?,
                             status: HTTPStatus = .ok) throws -> Response {
        let commits: [CommitInfo]
        do { commits = try site.repository.history(of: ref, limit: HistoryController.limit) } catch {
            throw HTTPError(.internalServerError, "cannot read the history: \(error)")
        }
        guard !commits.isEmpty || snapshot.document(ref) != nil else { throw HTTPError(.notFound, "\(ref) has no history") }
        let mayRevert = rights(request, snapshot).mayWrite(parent, existing: snapshot.document(ref))
        let (token, cookie) = mayRevert ? site.tokens.issue(for: request, purpose: SiteURL.revert(ref)) : ("", nil)
        let entries = commits.map { HistoryPage.Entry(commit: $0, changes: (try? site.repository.changes(to: ref, in: $0.id)) ?? []) }
        let parentName = snapshot.document(parent).map { ObjectLabels.name($0, in: snapshot) } ?? parent.id
        let page = HistoryPage(HistoryPage.Subject(name: "metadata “\(ref.id.split(separator: "/").last ?? "")” of \(parentName)",
                                                   noun: "metadata entry", kindTitle: parentName,
                                                   listURL: SiteURL.detail(parent), detailURL: SiteURL.metadataEdit(ref),
                                                   revertURL: SiteURL.revert(ref), kind: .metadata))
        let values = page.values(entries: entries, role: request.principal.role, token: token, error: error)
        return site.html(try site.renderer(snapshot).page("history", title: page.title, kind: parent.kind, values), status: status,
                         setCookie: cookie)
    }

    /// Reverts one commit of the entry's history. Support and admins revert as their role; an
    /// owner or editor only a commit that changed this one file and nothing else.
    func revert(_ request: Request) throws -> Response {
        let submission = try URLEncodedForm(request)
        try site.tokens.check(request, submission)
        let snapshot = try site.head()
        let (parent, name) = try entry(request, snapshot)
        let ref = ObjectRef(.metadata, parent.id + "/" + name)
        let rights = rights(request, snapshot)
        guard rights.mayRead(parent), rights.mayWrite(parent, existing: snapshot.document(ref)) else {
            throw HTTPError(.forbidden, "you do not have access to this")
        }
        guard let commit = submission["commit"].flatMap(ObjectID.init(hex:)) else {
            return try historyPage(ref, parent: parent, request, snapshot, error: "Choose a commit to revert.", status: .badRequest)
        }
        if !rights.writesAsRole {
            // An owner or editor is trusted with this one file only.
            let effect = try? site.repository.revertEffect(commit)
            guard let effect, effect.objects == [ref], !effect.changesDeployment, effect.paths.count == 1 else {
                return try historyPage(ref, parent: parent, request, snapshot,
                                       error: "Not reverted: that commit changed more than this entry, or cannot be undone now; ask support.",
                                       status: .forbidden)
            }
        }
        let result: WriteResult
        do {
            result = try site.repository.revert(commit, author: request.principal.signature, scope: .object(ref),
                                                actingAs: rights.writesAsRole ? request.principal.role : nil)
        } catch {
            let refusal = WriteRefusal(error, .revert, subject: "this metadata")
            return try historyPage(ref, parent: parent, request, snapshot, error: refusal.message, status: refusal.status)
        }
        site.refreshSoon()
        return .redirect(to: SiteURL.detail(parent) + "?saved=" + result.commit.id.hex)
    }
}
