import Auth
import ConfigRepo
import Runtime
import WebServer

/// The runtime's REST routes under `/api/engine/v2` (placeos-api §4): module state, exec,
/// functions, types, start/stop and ping, for systems (by `Name_index`) and modules. Errors answer
/// `{"error": code, "message": text}` with the HTTP status of the runtime error.
public struct EngineAPI: Feature {
    let engine: RuntimeEngine

    public init(engine: RuntimeEngine) { self.engine = engine }

    public func mount(on router: inout Router) {
        let base = "/api/engine/v2"
        // Literal routes first: the router takes the first pattern that matches.
        router.get(base + "/systems/:sys/types") { [self] request in try await Self.answer(request) { try types(request) } }
        router.get(base + "/systems/:sys/functions/:mod") { [self] request in try await Self.answer(request) { try functions(request) } }
        // Starting and stopping commits `running`: git work, on BlockingWorkers.
        router.post(base + "/systems/:sys/start") { [self] request in try await Self.answer(request) { try await blocking { try setSystemRunning(request, true) } } }
        router.post(base + "/systems/:sys/stop") { [self] request in try await Self.answer(request) { try await blocking { try setSystemRunning(request, false) } } }
        router.get(base + "/systems/:sys/:mod") { [self] request in try await Self.answer(request) { try systemState(request) } }
        router.get(base + "/systems/:sys/:mod/:key") { [self] request in try await Self.answer(request) { try systemState(request) } }
        router.post(base + "/systems/:sys/:mod/:method") { [self] request in try await Self.answer(request) { try await systemExec(request) } }
        router.get(base + "/modules/:id/state") { [self] request in try await Self.answer(request) { try moduleState(request) } }
        router.get(base + "/modules/:id/state/:key") { [self] request in try await Self.answer(request) { try moduleState(request) } }
        router.post(base + "/modules/:id/start") { [self] request in try await Self.answer(request) { try await blocking { try setModuleRunning(request, true) } } }
        router.post(base + "/modules/:id/stop") { [self] request in try await Self.answer(request) { try await blocking { try setModuleRunning(request, false) } } }
        router.post(base + "/modules/:id/ping") { [self] request in try await Self.answer(request) { try ping(request) } }
        router.post(base + "/modules/:id/exec/:method") { [self] request in try await Self.answer(request) { try await moduleExec(request) } }
    }

    /// Runs blocking work (a commit) off the cooperative pool.
    private func blocking(_ work: @escaping @Sendable () throws -> Response) async throws -> Response {
        try await BlockingWorkers.shared.run(work)
    }

    /// Runs a handler for a signed-in caller (anyone else gets 401: a request no gate let
    /// through is worth nothing); a runtime error becomes its HTTP status with a JSON body, a
    /// refused write its `WriteRefusal` status, other errors 500.
    static func answer(_ request: Request, _ handler: () async throws -> Response) async throws(HTTPError) -> Response {
        guard request.principal.isAuthenticated else {
            throw HTTPError(.unauthorized, "sign in required", headers: ["WWW-Authenticate": "Bearer"])
        }
        do {
            return try await handler()
        } catch let error as RuntimeError {
            return failure(error.httpStatus, error.code, error.message)
        } catch let error as WriteError {
            let refusal = WriteRefusal(error, .save, subject: "the module")
            return failure(refusal.status.code, refusal.code, error.description)
        } catch {
            return failure(500, "failed", "\(error)")
        }
    }

    static func failure(_ status: Int, _ code: String, _ message: String) -> Response {
        .json(JSONWriter.compactString(.object(["error": .string(code), "message": .string(message)])), status: HTTPStatus(status))
    }

    func systemState(_ request: Request) throws -> Response {
        let (name, index) = SystemDirectory.parse(request.parameter("mod") ?? "")
        let module = try engine.resolve(system: request.parameter("sys") ?? "", name: name, index: index).get()
        try checkHidden(name, request)
        return state(of: module, key: request.parameter("key"))
    }

    func moduleState(_ request: Request) throws -> Response {
        let module = try existingModule(request)
        return state(of: module, key: request.parameter("key"))
    }

    func systemExec(_ request: Request) async throws -> Response {
        let (name, index) = SystemDirectory.parse(request.parameter("mod") ?? "")
        let result = await engine.exec(system: request.parameter("sys") ?? "", name: name, index: index,
                                       method: request.parameter("method") ?? "", args: try Self.arguments(request),
                                       role: request.principal.role, userID: request.principal.userID)
        return try .json(JSONWriter.compactString(result.get()))
    }

    func moduleExec(_ request: Request) async throws -> Response {
        let result = await engine.exec(module: request.parameter("id") ?? "", method: request.parameter("method") ?? "",
                                       args: try Self.arguments(request), role: request.principal.role, userID: request.principal.userID)
        return try .json(JSONWriter.compactString(result.get()))
    }

    /// PlaceOS's shape, `{fn: {arity, params: {name: schema}, order: [names]}}` (plus our
    /// `security`), without the functions above the caller's clearance.
    func functions(_ request: Request) throws -> Response {
        let (name, index) = SystemDirectory.parse(request.parameter("mod") ?? "")
        let module = try engine.resolve(system: request.parameter("sys") ?? "", name: name, index: index).get()
        let functions = (engine.functions(ofModule: module) ?? [:]).filter { $0.value.requiredRole <= request.principal.role }
        return .json(JSONWriter.compactString(.object(functions.mapValues(Self.placeOSFunction))))
    }

    static func placeOSFunction(_ spec: FunctionSpec) -> JSONValue {
        var members: [String: JSONValue] = [
            "arity": .int(spec.arguments.count),
            "params": .object(Dictionary(spec.arguments.map { ($0.name, $0.schema) }, uniquingKeysWith: { first, _ in first })),
            "order": .array(spec.arguments.map { .string($0.name) }),
        ]
        if let security = spec.json["security"] { members["security"] = security }
        return .object(members)
    }

    /// `{"Display": 2, "Lighting": 1}`: how many modules of each name the system has.
    func types(_ request: Request) throws -> Response {
        let system = request.parameter("sys") ?? ""
        guard let entries = engine.directory.systems[system] else {
            throw RuntimeError(code: "unknown_system", message: "system \(system) does not exist")
        }
        var counts: [String: JSONValue] = [:]
        for entry in entries { counts[entry.name] = .int(entry.index) }
        return .json(JSONWriter.compactString(.object(counts)))
    }

    func setSystemRunning(_ request: Request, _ running: Bool) throws -> Response {
        try requireSupport(request)
        let system = request.parameter("sys") ?? ""
        guard let modules = engine.modules(ofSystem: system) else {
            throw RuntimeError(code: "unknown_system", message: "system \(system) does not exist")
        }
        try engine.setRunning(modules, running, author: request.principal.signature, system: system)
        return .json("{}")
    }

    func setModuleRunning(_ request: Request, _ running: Bool) throws -> Response {
        try requireSupport(request)
        try engine.setRunning([try existingModule(request)], running, author: request.principal.signature)
        return .json("{}")
    }

    /// Whether the module runs and its device is reachable as far as the driver knows, in
    /// PlaceOS's shape `{host, pingable, warning, exception}` (plus our `state`, `error` and
    /// `condition`: `{state, reason, since}`, see `ModuleCondition`).
    func ping(_ request: Request) throws -> Response {
        let module = try existingModule(request)
        let state = engine.moduleState(module)
        var members: [String: JSONValue] = [
            "host": engine.snapshot?.document(.module, module).flatMap { ModuleView($0).ip }.map(JSONValue.string) ?? .null,
            "pingable": .bool(engine.isOnline(module)), "state": .string(state.name),
            "warning": .null, "exception": state.error.map(JSONValue.string) ?? .null,
        ]
        if let error = state.error { members["error"] = .string(error) }
        members["condition"] = .object(engine.condition(of: module).json.mapValues(JSONValue.string))
        return .json(JSONWriter.compactString(.object(members)))
    }

    private func state(of module: String, key: String?) -> Response {
        if let key {
            return .json(JSONWriter.compactString(engine.status.value(module: module, key: key) ?? .null))
        }
        return .json(JSONWriter.compactString(.object(engine.status.values(module: module))))
    }

    private func existingModule(_ request: Request) throws -> String {
        let module = request.parameter("id") ?? ""
        guard engine.hasModule(module) else { throw RuntimeError(code: "unknown_module", message: "module \(module) does not exist") }
        return module
    }

    /// An exec's arguments: the body, a JSON array (or an object of named ones); none when empty.
    static func arguments(_ request: Request) throws -> JSONValue {
        if request.body.isEmpty { return .array([]) }
        guard let json = try? JSONParser.parse(request.body), json.arrayValue != nil || json.objectValue != nil else {
            throw RuntimeError(code: "bad_arguments", message: "the body must be a JSON array of arguments")
        }
        return json
    }

    private func requireSupport(_ request: Request) throws {
        if request.principal.role < .support {
            throw RuntimeError(code: "access_denied", message: "starting and stopping modules needs the support role")
        }
    }

    private func checkHidden(_ name: String, _ request: Request) throws {
        if let refusal = RuntimeEngine.authorize(role: request.principal.role, function: nil, moduleName: name) { throw refusal }
    }
}
