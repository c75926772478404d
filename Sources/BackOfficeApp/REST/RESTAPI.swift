import Auth
import ConfigRepo
import Runtime
import WebServer

/// The configuration resources on PlaceOS v2 routes under `/api/engine/v2` (docs/rest-api.md):
/// for each `RESTResource` an index (`GET /<name>` with `q`, `limit`, `offset` and its filters),
/// `POST` to create (201), `GET|PUT|PATCH|DELETE /<name>/:id` (delete 202), plus the systems'
/// `:id/zones` and `PUT|DELETE :id/module/:mod_id`. Objects go out in PlaceOS's wire format
/// (`WireFormat`); every write is one commit through the forms' validated path (`RESTWriter`).
/// Each route's access rule is in `AccessPolicy.standard`; handlers check the caller again.
public struct RESTAPI: Feature {
    static let base = "/api/engine/v2"

    let repository: ConfigRepository
    let engine: RuntimeEngine?
    let timeline: FileTimeline
    /// The words `q` searches, per resource, at the newest commit searched.
    let wordIndexes = WordIndexes()
    /// The product version `version` and `platform` report.
    let version: String

    public init(repository: ConfigRepository, engine: RuntimeEngine?, version: String = "dev") {
        self.repository = repository
        self.engine = engine
        self.version = version
        timeline = FileTimeline(store: repository.store)
    }

    public func mount(on router: inout Router) {
        RESTRoot(version: version, engine: engine).mount(on: &router)
        mountSettings(on: &router)
        mountMetadata(on: &router)
        mountLookups(on: &router)
        mountRuntime(on: &router)
        mountUsers(on: &router)
        for resource in RESTResource.all {
            let path = Self.base + "/" + resource.name
            router.add(.get, path, blocking: answer(resource) { [self] in try index($0) })
            router.add(.post, path, blocking: answer(resource) { [self] in try create($0) })
            router.add(.get, path + "/:id", blockingUnless: isInMemory, answer(resource) { [self] in try show($0) })
            router.add(.put, path + "/:id", blocking: answer(resource) { [self] in try update($0) })
            router.add(.patch, path + "/:id", blocking: answer(resource) { [self] in try update($0) })
            router.add(.delete, path + "/:id", blocking: answer(resource) { [self] in try delete($0) })
        }
        let systems = Self.base + "/systems/:id"
        router.add(.get, systems + "/zones", blocking: answer(.systems) { [self] in try systemZones($0) })
        router.add(.put, systems + "/module/:mod_id", blocking: answer(.systems) { [self] in try systemModule($0, add: true) })
        router.add(.delete, systems + "/module/:mod_id", blocking: answer(.systems) { [self] in try systemModule($0, add: false) })
        // The caller's own user and token: for anyone signed in.
        router.add(.get, Self.base + "/users/current", blocking: answer(.users, anyone: true) { [self] in try currentUser($0) })
        router.add(.get, Self.base + "/api_keys/inspect", blocking: answer(.apiKeys, anyone: true) { Self.inspect($0.principal) })
    }

    /// Whether a read can answer on the event loop: the head snapshot is in memory and the
    /// timeline has caught up with it (docs/rest-api.md#figures). Only reads that touch no git
    /// otherwise and answer one object use it (`show`); searches and history stay on workers.
    var isInMemory: @Sendable () -> Bool {
        { [repository, timeline] in
            guard let snapshot = repository.headSnapshotInMemory() else { return false }
            return timeline.head == snapshot.commit
        }
    }

    /// What a handler works with: the request, the head snapshot, and the wire format for the caller.
    struct Call {
        let request: Request
        let resource: RESTResource
        let snapshot: Snapshot
        let format: WireFormat

        var principal: Principal { request.principal }
    }

    /// Runs a handler for a signed-in caller whom the resource's rule in the access table lets
    /// read (or write) it and who may see its kind: 401 and 403 otherwise; a `RESTError` becomes its PlaceOS status and body.
    /// `rule` names the access table's row when it is not the resource's (`settings`).
    func answer(_ resource: RESTResource, rule name: String? = nil, anyone: Bool = false,
                _ handler: @escaping @Sendable (Call) throws -> Response) -> ImmediateHandler {
        { [self] request in
            guard request.principal.isAuthenticated else { return RESTError.signInRequired.response }
            if !anyone {
                let rule = AccessPolicy.restRule(name ?? resource.name, write: request.method != .get && request.method != .head)
                guard request.principal.mayView(resource.kind), rule?.decide(for: request.principal) == .allow else {
                    return RESTError.forbidden.response
                }
            }
            do {
                let snapshot = try repository.headSnapshotInMemory() ?? repository.headSnapshot()
                try timeline.catchUp(to: snapshot.commit)
                let format = WireFormat(snapshot: snapshot, timeline: timeline, principal: request.principal,
                                        box: repository.secretBox, engine: engine)
                return try handler(Call(request: request, resource: resource, snapshot: snapshot, format: format))
            } catch let error as RESTError {
                return error.response
            } catch let error as StoreError {
                return RESTError(status: .internalServerError, body: .object(["error": .string("the configuration store failed: \(error)")])).response
            }
        }
    }

    // MARK: - Reading

    func index(_ call: Call) throws -> Response {
        let query = try IndexQuery(call.request)
        let resource = call.resource
        let active = resource.filters.compactMap { filter in call.request.query(filter.parameter).map { (filter, $0) } }
        let includeDeleted = call.request.query("include_deleted") == "true"
        // `q` is matched against the resource's word index (id order, no sort); a filter that the
        // reference index narrows (a system's modules) starts from its few objects instead.
        let words = wordIndexes.index(of: resource, in: call.snapshot)
        let needles = WordIndex.needles(for: query.words)
        var seen = Set<String>()
        let candidates: [WordIndex.Entry]
        if let narrowed = active.lazy.compactMap({ filter, value in filter.narrows?(value, call.snapshot) }).first {
            candidates = narrowed.filter { seen.insert($0.id).inserted }.compactMap { words.entry($0.id) }
                .sorted { $0.document.id < $1.document.id }
        } else {
            candidates = words.entries
        }
        let documents = candidates.lazy.filter { entry in
            (needles.isEmpty || WordIndex.matches(entry, needles))
                && (includeDeleted || entry.document.bool("deleted") != true)
                && active.allSatisfy { filter, value in filter.keeps(entry.document, value, call.snapshot) }
        }.map(\.document)
        return query.page(Array(documents), table: resource.name, request: call.request, render: render(call))
    }

    func show(_ call: Call) throws -> Response {
        let document = try existing(call)
        let json = render(call)(document)
        // `?complete`: the system with its zones and modules in full.
        guard call.resource.kind == .system, call.request.query("complete") != nil, case .object(var members) = json else {
            return Self.json(json)
        }
        let view = SystemView(document)
        members["zone_data"] = .array(view.zoneIDs.compactMap { call.snapshot.document(.zone, $0) }.map(call.format.json))
        members["module_data"] = .array(view.moduleIDs.compactMap { call.snapshot.document(.module, $0) }.map(call.format.json))
        return Self.json(.object(members))
    }

    /// How `index` and `show` render an object: in the wire format, and a user with `metadata`
    /// (`{name: metadata}`) when `include_metadata=true` asks for it (PlaceOS's users routes).
    private func render(_ call: Call) -> (ConfigDocument) -> JSONValue {
        guard call.resource.kind == .user, call.request.query("include_metadata") == "true" else { return call.format.json }
        return { [self] user in
            guard case .object(var members) = call.format.json(user) else { return .null }
            // Only metadata the caller may read: their own, or anyone's for support.
            let readable = (try? checkMetadataRead(call, user.ref)) != nil
            members["metadata"] = .object(readable ? metadataByName(user.ref, name: nil, call) : [:])
            return .object(members)
        }
    }

    /// `GET systems/:id/zones`: the system's zones, in its order.
    func systemZones(_ call: Call) throws -> Response {
        let system = try existing(call)
        let zones = SystemView(system).zoneIDs.compactMap { call.snapshot.document(.zone, $0) }
        return Self.json(.array(zones.map(call.format.json)))
    }

    /// `GET users/current`: the caller's user (the local administrator of `--auth off` has no file).
    func currentUser(_ call: Call) throws -> Response {
        let principal = call.principal
        if let user = call.snapshot.document(.user, principal.userID) { return Self.json(call.format.json(user)) }
        return Self.json(.object(["id": .string(principal.userID), "name": .string(principal.name), "email": .string(principal.email),
                                  "sys_admin": .bool(principal.has(.admin)), "support": .bool(principal.has(.support))]))
    }

    /// `GET api_keys/inspect`: the caller's credential as PlaceOS decodes its token: subject,
    /// scopes and the user claims (`n` name, `e` email, `p` permissions 0 user, 1 support, 2 admin).
    static func inspect(_ principal: Principal) -> Response {
        let permissions = principal.has(.admin) ? 2 : principal.has(.support) ? 1 : 0
        return json(.object([
            "sub": .string(principal.userID), "aud": .string(principal.domainID ?? ""),
            "scope": .array((principal.scopes ?? ["public"]).map(JSONValue.string)),
            "u": .object(["n": .string(principal.name), "e": .string(principal.email), "p": .int(permissions), "r": .array([])]),
        ]))
    }

    /// The object the `:id` parameter names (or the resource's alias: a system's email, a
    /// user's email), or 404.
    func existing(_ call: Call) throws(RESTError) -> ConfigDocument {
        let id = call.request.parameter("id") ?? ""
        let resource = call.resource
        if resource.owns(id), let document = call.snapshot.document(resource.kind, id) { return document }
        if let document = resource.alias?(call.snapshot, id), resource.owns(document.id) { return document }
        throw .notFound("\(resource.kind.noun) \(id) does not exist")
    }

    // MARK: - Writing

    func create(_ call: Call) throws -> Response {
        let kind = call.resource.kind
        guard call.principal.mayEdit(kind) else { throw RESTError.forbidden }
        let body = try RESTWriter.object(call.request.body)
        var id: String
        let generated = body["id"]?.isNull ?? true
        if let given = body["id"], !given.isNull {
            guard let text = given.stringValue, IdentifierRules.isValidID(text, of: kind), call.resource.owns(text) else {
                throw RESTError.invalid(field: "id", reason: "must be \(call.resource.prefixes.joined(separator: " or "))… followed by 1 to 64 of A-Z a-z 0-9 _ ~ -")
            }
            guard call.snapshot.document(kind, text) == nil else { throw RESTError.invalid(field: "id", reason: "\(text) already exists") }
            id = text
        } else {
            id = call.resource.prefixes[0] + IdentifierRules.newID(for: kind).dropFirst(kind.idPrefixes[0].count)
        }
        let writer = writer(call)
        var document = try writer.merged(body, onto: ConfigDocument(ref: ObjectRef(kind, id)))
        // No id sent: readable from the name when nobody has it yet (`sys-l1-cafe`), as the site's
        // forms make them; users, API keys and the resources of one prefix among several keep random ones.
        if generated, kind != .user, kind != .apiKey, call.resource.prefixes[0] == kind.idPrefixes[0],
           let readable = call.snapshot.readableID(for: document) {
            id = readable
            document = try writer.merged(body, onto: ConfigDocument(ref: ObjectRef(kind, id)))
        }
        // An API key's secret is made here and shown once, as `x_api_key`; only its hash is stored.
        var key: String?
        if kind == .apiKey {
            let (secret, hash) = APIKeySecret.make(id: id)
            document.members["secret_hash"] = .string(hash)
            if document["scopes"] == nil { document.members["scopes"] = .array(["public"]) }
            key = id + "." + secret
        }
        var edits: [Edit] = [.save(document)]
        // A logic module belongs to its system and is listed in it (PlaceOS appends it).
        if kind == .module, call.snapshot.driver(ofModule: document)?.role == .logic,
           let systemID = ModuleView(document).controlSystemID, var system = call.snapshot.document(.system, systemID),
           !SystemView(system).moduleIDs.contains(id) {
            system.set("modules", strings: SystemView(system).moduleIDs + [id])
            edits.append(.save(system))
        }
        let result = try writer.apply(edits, target: document.ref)
        return try written(document.ref, result, call, status: .created, adding: key.map { ["x_api_key": .string($0)] } ?? [:])
    }

    func update(_ call: Call) throws -> Response {
        guard call.principal.mayEdit(call.resource.kind) else { throw RESTError.forbidden }
        let current = try existing(call)
        let body = try RESTWriter.object(call.request.body)
        try checkVersion(call, current, body)
        let writer = writer(call)
        let document = try writer.merged(body, onto: current)
        let result = try writer.apply([.save(document)], target: current.ref)
        return try written(current.ref, result, call, status: .ok)
    }

    func delete(_ call: Call) throws -> Response {
        guard call.principal.mayEdit(call.resource.kind) else { throw RESTError.forbidden }
        var current = try existing(call)
        if deletesSoftly(current, call) {
            current.members["deleted"] = .bool(true)
            _ = try writer(call).apply([.save(current)], target: current.ref)
            return Response(status: HTTPStatus(202))
        }
        _ = try writer(call).apply([.delete(current.ref, version: current.version)], target: current.ref)
        return Response(status: HTTPStatus(202))
    }

    /// `PUT|DELETE systems/:id/module/:mod_id`: adds the module to the end of the system's
    /// list, or takes it out; answers the system.
    func systemModule(_ call: Call, add: Bool) throws -> Response {
        guard call.principal.mayEdit(.system) else { throw RESTError.forbidden }
        var system = try existing(call)
        let module = call.request.parameter("mod_id") ?? ""
        guard call.snapshot.document(.module, module) != nil else { throw RESTError.notFound("module \(module) does not exist") }
        var modules = SystemView(system).moduleIDs
        if add, !modules.contains(module) { modules.append(module) }
        if !add { modules.removeAll { $0 == module } }
        system.set("modules", strings: modules)
        let result = try writer(call).apply([.save(system)], target: system.ref)
        return try written(system.ref, result, call, status: .ok)
    }

    /// PlaceOS's optimistic lock: a `version` (query or body) other than the object's current
    /// one is a 409 with the current object.
    private func checkVersion(_ call: Call, _ current: ConfigDocument, _ body: [String: JSONValue]) throws(RESTError) {
        let sent = call.request.query("version").flatMap { Int($0) } ?? body["version"]?.intValue
        guard let sent else { return }
        let version = WireFormat.version(of: timeline.entry(current.path))
        if sent != version { throw RESTError(status: .conflict, body: call.format.json(current)) }
    }

    func writer(_ call: Call) -> RESTWriter {
        RESTWriter(repository: repository, resource: call.resource, principal: call.principal, snapshot: call.snapshot, format: call.format)
    }

    /// The object after a write, as the caller sees it.
    func written(_ ref: ObjectRef, _ result: WriteResult, _ call: Call, status: HTTPStatus,
                         adding extra: [String: JSONValue] = [:]) throws -> Response {
        try timeline.catchUp(to: result.snapshot.commit)
        let format = WireFormat(snapshot: result.snapshot, timeline: timeline, principal: call.principal, box: repository.secretBox, engine: engine)
        guard let document = result.snapshot.document(ref) else { throw RESTError.notFound("\(ref) does not exist") }
        var json = format.json(document)
        if case .object(let members) = json { json = .object(members.merging(extra) { _, new in new }) }
        var response = Self.json(json)
        response.status = status
        return response
    }

    static func json(_ value: JSONValue) -> Response { .json(JSONWriter.compactString(value)) }
}
