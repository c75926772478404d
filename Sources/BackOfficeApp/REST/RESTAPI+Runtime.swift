import Auth
import ConfigRepo
import Runtime
import WebServer

/// The REST routes that act on the running modules rather than on the configuration:
/// `POST zones/:id/exec/:mod/:method` (the function on the `Name_index` module of every system
/// in the zone, each exec checked against the caller's clearance as any other), `GET
/// modules/:id/error` (a module's last error) and `POST modules/:id/load` (start it again).
extension RESTAPI {
    func mountRuntime(on router: inout Router) {
        guard let engine else { return }
        router.add(.post, Self.base + "/zones/:id/exec/:mod/:method") { [self] request in
            await RESTError.answering(request) { try await zoneExec(request, engine) }
        }
        router.add(.get, Self.base + "/modules/:id/error") { request in
            await RESTError.answering(request) { try Self.moduleError(request, engine) }
        }
        router.add(.post, Self.base + "/modules/:id/load") { request in
            await RESTError.answering(request) { try Self.load(request, engine) }
        }
    }

    /// `{success, failure, module_missing}`: the ids of the zone's systems where the exec
    /// answered, failed (refused, not running, the driver's error…), or found no such module.
    func zoneExec(_ request: Request, _ engine: RuntimeEngine) async throws -> Response {
        let zone = request.parameter("id") ?? ""
        guard let snapshot = engine.snapshot, snapshot.document(.zone, zone) != nil else {
            throw RESTError.notFound("zone \(zone) does not exist")
        }
        let arguments: JSONValue
        do { arguments = try EngineAPI.arguments(request) } catch let error as RuntimeError {
            throw RESTError.badRequest(error.message, parameter: "body", restriction: "a JSON array of arguments")
        }
        let (name, index) = SystemDirectory.parse(request.parameter("mod") ?? "")
        let method = request.parameter("method") ?? "", principal = request.principal
        let outcomes = await withTaskGroup(of: (String, Result<JSONValue, RuntimeError>).self) { group in
            for system in snapshot.systems(inZone: zone) {
                group.addTask {
                    (system, await engine.exec(system: system, name: name, index: index, method: method, args: arguments,
                                               role: principal.role, userID: principal.userID))
                }
            }
            return await group.reduce(into: [(String, Result<JSONValue, RuntimeError>)]()) { $0.append($1) }
        }
        var success: [String] = [], failure: [String] = [], missing: [String] = []
        for (system, outcome) in outcomes {
            switch outcome {
            case .success: success.append(system)
            case .failure(let error) where ["unknown_module", "unknown_system"].contains(error.code): missing.append(system)
            case .failure: failure.append(system)
            }
        }
        func list(_ ids: [String]) -> JSONValue { .array(ids.sorted().map(JSONValue.string)) }
        return Self.json(.object(["success": list(success), "failure": list(failure), "module_missing": list(missing)]))
    }

    /// `{id, state, has_runtime_error, error, offline_reason}`: why the module failed to start
    /// (its settings, its driver's build…), or why its device is offline, as the runtime knows.
    static func moduleError(_ request: Request, _ engine: RuntimeEngine) throws -> Response {
        let module = try runningModule(request, engine)
        let state = engine.moduleState(module)
        return json(.object([
            "id": .string(module), "state": .string(state.name), "has_runtime_error": .bool(state.error != nil),
            "error": state.error.map(JSONValue.string) ?? .null,
            "offline_reason": engine.offlineReason(module).map(JSONValue.string) ?? .null,
        ]))
    }

    /// `true` when the module was started again, `false` when its configuration has it stopped.
    static func load(_ request: Request, _ engine: RuntimeEngine) throws -> Response {
        json(.bool(engine.reload(module: try runningModule(request, engine))))
    }

    private static func runningModule(_ request: Request, _ engine: RuntimeEngine) throws(RESTError) -> String {
        let module = request.parameter("id") ?? ""
        guard engine.hasModule(module) else { throw .notFound("module \(module) does not exist") }
        return module
    }
}
