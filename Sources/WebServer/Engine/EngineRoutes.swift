import ConfigRepo
import Runtime

extension Router {
    /// Adds the runtime's REST routes under `/api/engine/v2` (placeos-api §4): module state,
    /// exec, functions, types, start/stop and ping, for systems (by `Name_index`) and modules.
    public mutating func addEngineAPI(engine: RuntimeEngine) {
        let api = EngineAPI(engine: engine)
        let base = "/api/engine/v2"
        // Literal routes first: the router takes the first pattern that matches.
        get(base + "/systems/:sys/types") { request in await EngineAPI.answer { try api.types(request) } }
        get(base + "/systems/:sys/functions/:mod") { request in await EngineAPI.answer { try api.functions(request) } }
        post(base + "/systems/:sys/start") { request in await EngineAPI.answer { try api.setSystemRunning(request, true) } }
        post(base + "/systems/:sys/stop") { request in await EngineAPI.answer { try api.setSystemRunning(request, false) } }
        get(base + "/systems/:sys/:mod") { request in await EngineAPI.answer { try api.systemState(request) } }
        get(base + "/systems/:sys/:mod/:key") { request in await EngineAPI.answer { try api.systemState(request) } }
        post(base + "/systems/:sys/:mod/:method") { request in await EngineAPI.answer { try await api.systemExec(request) } }
        get(base + "/modules/:id/state") { request in await EngineAPI.answer { try api.moduleState(request) } }
        get(base + "/modules/:id/state/:key") { request in await EngineAPI.answer { try api.moduleState(request) } }
        post(base + "/modules/:id/start") { request in await EngineAPI.answer { try api.setModuleRunning(request, true) } }
        post(base + "/modules/:id/stop") { request in await EngineAPI.answer { try api.setModuleRunning(request, false) } }
        post(base + "/modules/:id/ping") { request in await EngineAPI.answer { try api.ping(request) } }
        post(base + "/modules/:id/exec/:method") { request in await EngineAPI.answer { try await api.moduleExec(request) } }
    }
}

/// The handlers of `addEngineAPI`. Errors answer `{"error": code, "message": text}` with the
/// HTTP status of the runtime error.
struct EngineAPI: Sendable {
    let engine: RuntimeEngine

    /// Runs a handler; a runtime error becomes its HTTP status with a JSON body, other errors 500.
    static func answer(_ handler: () async throws -> Response) async -> Response {
        do {
            return try await handler()
        } catch let error as RuntimeError {
            return failure(error.httpStatus, error.code, error.message)
        } catch let error as WriteError {
            if case .conflict = error { return failure(409, "conflict", error.description) }
            return failure(422, "invalid", error.description)
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
                                       method: request.parameter("method") ?? "", args: try arguments(request),
                                       role: request.principal.role, userID: request.principal.userID)
        return try .json(JSONWriter.compactString(result.get()))
    }

    func moduleExec(_ request: Request) async throws -> Response {
        let result = await engine.exec(module: request.parameter("id") ?? "", method: request.parameter("method") ?? "",
                                       args: try arguments(request), role: request.principal.role, userID: request.principal.userID)
        return try .json(JSONWriter.compactString(result.get()))
    }

    func functions(_ request: Request) throws -> Response {
        let (name, index) = SystemDirectory.parse(request.parameter("mod") ?? "")
        let module = try engine.resolve(system: request.parameter("sys") ?? "", name: name, index: index).get()
        let functions = engine.functions(ofModule: module) ?? [:]
        return .json(JSONWriter.compactString(.object(functions.mapValues(\.json))))
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
        try engine.setRunning(modules, running, author: request.principal.signature)
        return .json("{}")
    }

    func setModuleRunning(_ request: Request, _ running: Bool) throws -> Response {
        try requireSupport(request)
        try engine.setRunning([try existingModule(request)], running, author: request.principal.signature)
        return .json("{}")
    }

    /// Whether the module runs and its device is reachable as far as the driver knows.
    func ping(_ request: Request) throws -> Response {
        let module = try existingModule(request)
        let state = engine.moduleState(module)
        var members: [String: JSONValue] = [
            "host": engine.snapshot?.document(.module, module).flatMap { ModuleView($0).ip }.map(JSONValue.string) ?? .null,
            "pingable": .bool(engine.isOnline(module)), "state": .string(state.name),
        ]
        if let error = state.error { members["error"] = .string(error) }
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

    private func arguments(_ request: Request) throws -> JSONValue {
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
