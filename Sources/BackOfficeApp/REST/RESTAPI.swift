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

    public init(repository: ConfigRepository, engine: RuntimeEngine?) {
        self.repository = repository
        self.engine = engine
        timeline = FileTimeline(store: repository.store)
    }

    public func mount(on router: inout Router) {
        for resource in RESTResource.all {
            let path = Self.base + "/" + resource.name
            router.add(.get, path, blocking: answer(resource) { [self] in try index($0) })
            router.add(.post, path, blocking: answer(resource) { [self] in try create($0) })
            router.add(.get, path + "/:id", blocking: answer(resource) { [self] in try show($0) })
            router.add(.put, path + "/:id", blocking: answer(resource) { [self] in try update($0) })
            router.add(.patch, path + "/:id", blocking: answer(resource) { [self] in try update($0) })
            router.add(.delete, path + "/:id", blocking: answer(resource) { [self] in try delete($0) })
        }
        let systems = Self.base + "/systems/:id"
        router.add(.get, systems + "/zones", blocking: answer(.systems) { [self] in try systemZones($0) })
        router.add(.put, systems + "/module/:mod_id", blocking: answer(.systems) { [self] in try systemModule($0, add: true) })
        router.add(.delete, systems + "/module/:mod_id", blocking: answer(.systems) { [self] in try systemModule($0, add: false) })
    }

    /// What a handler works with: the request, the head snapshot, and the wire format for the caller.
    struct Call {
        let request: Request
        let resource: RESTResource
        let snapshot: Snapshot
        let format: WireFormat

        var principal: Principal { request.principal }
    }

    /// Runs a handler for a signed-in caller who may see the resource's kind: 401 and 403
    /// otherwise; a `RESTError` becomes its PlaceOS status and body.
    private func answer(_ resource: RESTResource, _ handler: @escaping @Sendable (Call) throws -> Response) -> ImmediateHandler {
        { [self] request in
            guard request.principal.isAuthenticated else {
                var response = RESTError(status: .unauthorized, body: .object(["error": "sign in required"])).response
                response.headers.add("WWW-Authenticate", "Bearer")
                return response
            }
            guard request.principal.mayView(resource.kind) else { return RESTError.forbidden.response }
            do {
                let snapshot = try repository.headSnapshot()
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
        let documents = call.snapshot.all(resource.kind).filter { document in
            active.allSatisfy { filter, value in filter.keeps(document, value, call.snapshot) }
                && query.matches([document.id] + resource.searched.flatMap { name in
                    document[name].map { value in value.stringValue.map { [$0] } ?? value.arrayValue?.compactMap(\.stringValue) ?? [] } ?? []
                })
        }
        return query.page(documents.map(call.format.json), table: resource.name, request: call.request)
    }

    func show(_ call: Call) throws -> Response {
        let document = try existing(call)
        let json = call.format.json(document)
        // `?complete`: the system with its zones and modules in full.
        guard call.resource.kind == .system, call.request.query("complete") != nil, case .object(var members) = json else {
            return Self.json(json)
        }
        let view = SystemView(document)
        members["zone_data"] = .array(view.zoneIDs.compactMap { call.snapshot.document(.zone, $0) }.map(call.format.json))
        members["module_data"] = .array(view.moduleIDs.compactMap { call.snapshot.document(.module, $0) }.map(call.format.json))
        return Self.json(.object(members))
    }

    /// `GET systems/:id/zones`: the system's zones, in its order.
    func systemZones(_ call: Call) throws -> Response {
        let system = try existing(call)
        let zones = SystemView(system).zoneIDs.compactMap { call.snapshot.document(.zone, $0) }
        return Self.json(.array(zones.map(call.format.json)))
    }

    /// The object the `:id` parameter names (a system may be named by its email), or 404.
    func existing(_ call: Call) throws(RESTError) -> ConfigDocument {
        let id = call.request.parameter("id") ?? ""
        if let document = call.snapshot.document(call.resource.kind, id) { return document }
        if call.resource.kind == .system, id.contains("@"),
           let system = call.snapshot.all(.system).first(where: { $0.string("email")?.lowercased() == id.lowercased() }) {
            return system
        }
        throw .notFound("\(call.resource.kind.noun) \(id) does not exist")
    }

    // MARK: - Writing

    func create(_ call: Call) throws -> Response {
        let kind = call.resource.kind
        guard call.principal.mayEdit(kind) else { throw RESTError.forbidden }
        let body = try RESTWriter.object(call.request.body)
        let id: String
        if let given = body["id"], !given.isNull {
            guard let text = given.stringValue, IdentifierRules.isValidID(text, of: kind) else {
                throw RESTError.invalid(field: "id", reason: "must be \(kind.idPrefixes.joined(separator: " or "))… followed by 1 to 64 of A-Z a-z 0-9 _ ~ -")
            }
            guard call.snapshot.document(kind, text) == nil else { throw RESTError.invalid(field: "id", reason: "\(text) already exists") }
            id = text
        } else {
            id = IdentifierRules.newID(for: kind)
        }
        let writer = writer(call)
        let document = try writer.merged(body, onto: ConfigDocument(ref: ObjectRef(kind, id)))
        var edits: [Edit] = [.save(document)]
        // A logic module belongs to its system and is listed in it (PlaceOS appends it).
        if kind == .module, call.snapshot.driver(ofModule: document)?.role == .logic,
           let systemID = ModuleView(document).controlSystemID, var system = call.snapshot.document(.system, systemID),
           !SystemView(system).moduleIDs.contains(id) {
            system.set("modules", strings: SystemView(system).moduleIDs + [id])
            edits.append(.save(system))
        }
        let result = try writer.apply(edits, target: document.ref)
        return try written(document.ref, result, call, status: .created)
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
        let current = try existing(call)
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

    private func writer(_ call: Call) -> RESTWriter {
        RESTWriter(repository: repository, resource: call.resource, principal: call.principal, snapshot: call.snapshot, format: call.format)
    }

    /// The object after a write, as the caller sees it.
    private func written(_ ref: ObjectRef, _ result: WriteResult, _ call: Call, status: HTTPStatus) throws -> Response {
        try timeline.catchUp(to: result.snapshot.commit)
        let format = WireFormat(snapshot: result.snapshot, timeline: timeline, principal: call.principal, box: repository.secretBox, engine: engine)
        guard let document = result.snapshot.document(ref) else { throw RESTError.notFound("\(ref) does not exist") }
        var response = Self.json(format.json(document))
        response.status = status
        return response
    }

    static func json(_ value: JSONValue) -> Response { .json(JSONWriter.compactString(value)) }
}
