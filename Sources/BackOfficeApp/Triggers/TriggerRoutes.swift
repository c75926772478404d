import Auth
import ConfigRepo
import Runtime
import WebServer

/// A system's trigger instances over REST, PlaceOS's shapes plus the live state
/// (`TriggerInstanceState.json`): `GET /api/engine/v2/systems/:sys/triggers` (the list, in the
/// system's order), `GET|PUT|DELETE …/triggers/:trig_id`, and `GET /api/engine/v2/triggers/:id/instances`.
/// `PUT` takes `{"enabled", "exec_enabled", "important"}` (any of them) and commits them;
/// `DELETE` removes an instance the system's own entry makes, or switches off one a zone or the
/// trigger applies (one commit either way). `webhook_secret` is in the JSON for admins only.
/// Refusals come in the REST API's PlaceOS bodies (`RESTError`).
public struct TriggerRoutes: Feature {
    let engine: RuntimeEngine

    public init(engine: RuntimeEngine) { self.engine = engine }

    public func mount(on router: inout Router) {
        let base = "/api/engine/v2"
        router.get(base + "/systems/:sys/triggers") { [self] request in await RESTError.answering(request) { try list(request) } }
        router.get(base + "/systems/:sys/triggers/:trig_id") { [self] request in await RESTError.answering(request) { try show(request) } }
        router.put(base + "/systems/:sys/triggers/:trig_id") { [self] request in
            await RESTError.answering(request) { try await BlockingWorkers.shared.run { try update(request) } }
        }
        router.delete(base + "/systems/:sys/triggers/:trig_id") { [self] request in
            await RESTError.answering(request) { try await BlockingWorkers.shared.run { try remove(request) } }
        }
        router.get(base + "/triggers/:id/instances") { [self] request in await RESTError.answering(request) { try instances(request) } }
    }

    func list(_ request: Request) throws -> Response {
        let system = request.parameter("sys") ?? ""
        guard engine.snapshot?.document(.system, system) != nil else {
            throw RuntimeError(code: "unknown_system", message: "system \(system) does not exist")
        }
        return page(engine.triggers.instances(of: system), for: request)
    }

    func show(_ request: Request) throws -> Response {
        .json(JSONWriter.compactString(json(try instance(request), for: request.principal)))
    }

    func update(_ request: Request) throws -> Response {
        try requireSupport(request)
        let state = try instance(request)
        guard let body = try? JSONParser.parse(request.body), let members = body.objectValue else {
            throw RESTError.badRequest("the body must be a JSON object: {\"enabled\": true, \"exec_enabled\": false, \"important\": false}",
                                       parameter: "body", restriction: "a JSON object of enabled, exec_enabled, important")
        }
        var flags: [String: Bool] = [:]
        for (key, value) in members {
            guard ["enabled", "exec_enabled", "important"].contains(key) else {
                // PlaceOS clients send the whole instance back: fields that are not switches are ignored
                // when they are unchanged, refused when they would change something we cannot.
                if let current = json(state, for: request.principal).objectValue?[key], current == value { continue }
                if ["id", "trigger_id", "control_system_id", "webhook_secret"].contains(key) || Self.liveFields.contains(key) { continue }
                throw RESTError.badRequest("`\(key)` cannot be changed here; only enabled, exec_enabled and important",
                                           parameter: key, restriction: "read only")
            }
            guard let flag = value.boolValue else {
                throw RESTError.badRequest("`\(key)` must be true or false", parameter: key, restriction: "true or false")
            }
            flags[key] = flag
        }
        try engine.triggers.setEnabled(instance: state.instanceID, enabled: flags["enabled"], execEnabled: flags["exec_enabled"],
                                       important: flags["important"], author: request.principal.signature)
        let updated = engine.triggers.state(of: state.instanceID) ?? state
        return .json(JSONWriter.compactString(json(updated, for: request.principal)))
    }

    func remove(_ request: Request) throws -> Response {
        try requireSupport(request)
        let state = try instance(request)
        try engine.triggers.removeInstance(state.instanceID, author: request.principal.signature)
        return Response(status: HTTPStatus(202))
    }

    func instances(_ request: Request) throws -> Response {
        let trigger = request.parameter("id") ?? ""
        guard engine.snapshot?.document(.trigger, trigger) != nil else {
            throw RuntimeError(code: "unknown_trigger", message: "trigger \(trigger) does not exist")
        }
        return page(engine.triggers.instances(ofTrigger: trigger), for: request)
    }

    /// Instances as a JSON array in the reader's view, with their count as PlaceOS lists carry it.
    private func page(_ states: [TriggerInstanceState], for request: Request) -> Response {
        var response = Response.json(JSONWriter.compactString(.array(states.map { json($0, for: request.principal) })))
        response.headers.set("X-Total-Count", String(states.count))
        return response
    }

    /// The fields of the state the engine keeps, which a `PUT` ignores.
    static let liveFields: Set<String> = ["triggered", "trigger_count", "action_errors", "comparison_errors", "conditions",
                                          "last_fired", "last_error", "problems", "trigger_name", "system_name"]

    /// Switching instances is editing the system: support's (the policy says so too).
    private func requireSupport(_ request: Request) throws {
        guard request.principal.has(.support) else { throw RESTError.forbidden }
    }

    /// The instance the path names, which must be of the path's system.
    private func instance(_ request: Request) throws -> TriggerInstanceState {
        let system = request.parameter("sys") ?? "", id = request.parameter("trig_id") ?? ""
        guard let state = engine.triggers.state(of: id), state.systemID == system else {
            throw RuntimeError(code: "unknown_trigger", message: "system \(system) has no trigger instance \(id)")
        }
        return state
    }

    /// The state, with the webhook secret for an administrator.
    private func json(_ state: TriggerInstanceState, for principal: Principal) -> JSONValue {
        guard principal.has(.admin), case .object(var members) = state.json else { return state.json }
        members["webhook_secret"] = engine.triggers.webhookSecret(of: state.instanceID).map(JSONValue.string) ?? .null
        return .object(members)
    }
}
