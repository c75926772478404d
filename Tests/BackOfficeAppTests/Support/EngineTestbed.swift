import Auth
@testable import BackOfficeApp
import ConfigRepo
import Foundation
import Runtime
import TestSupport
import Testing
import WebServer

/// The runtime on the Python-driver building (`PythonDriverBuilding`: `sys-test` with Tester_1,
/// Tester_2 and a module that fails to start), with the engine REST routes and the control and
/// live WebSockets and the trigger routes and webhooks mounted as `serve` mounts them, in process
/// behind `RoleHeaderGate`.
final class EngineTestbed: Sendable {
    let engine: RuntimeEngine
    let router: Router

    init(_ snapshot: Snapshot = PythonDriverBuilding.snapshot(), webhookLimiter: WebhookRateLimiter = WebhookRateLimiter()) async throws {
        var configuration = RuntimeConfiguration()
        configuration.timing.execTimeout = 5
        engine = RuntimeEngine(configuration: configuration, repository: nil, secretBox: SampleSecrets.box)
        engine.apply(snapshot)
        var router = Router()
        EngineAPI(engine: engine).mount(on: &router)
        ControlAPI(engine: engine).mount(on: &router)
        TriggerRoutes(engine: engine).mount(on: &router)
        TriggerWebhooks(engine: engine, limiter: webhookLimiter).mount(on: &router)
        router.gate = RoleHeaderGate.gate
        self.router = router
        let engine = self.engine
        let deadline = Date().addingTimeInterval(20)
        while !["mod-a", "mod-b"].allSatisfy({ engine.moduleState($0) == .running }), Date() < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(engine.moduleState("mod-a") == .running, "the Python driver did not start")
    }

    func shutdown() async { await engine.shutdown() }

    func send(_ method: HTTPMethod, _ target: String, json: String? = nil, as role: Role? = .user,
              headers extra: [(String, String)] = []) async throws -> Response {
        var headers = RoleHeaderGate.headers(role)
        for (name, value) in extra { headers.add(name, value) }
        return await router.respond(to: try Request(method: method, target: target, headers: headers, body: Array((json ?? "").utf8)))
    }

    /// Opens the control WebSocket (or `path`) in process as `role`.
    func connect(_ path: String = "/api/engine/v2/systems/control", as role: Role? = .user) async throws -> InProcessWebSocket {
        try await router.connectWebSocket(try Request(method: .get, target: path, headers: RoleHeaderGate.headers(role))).get()
    }
}

extension InProcessWebSocket {
    /// The next message the server sent, as JSON (nil once the server closed).
    func nextJSON() async -> JSONValue? {
        var iterator = messages.makeAsyncIterator()
        guard case .text(let text)? = await iterator.next() else { return nil }
        return (try? JSONParser.parse(text)) ?? .string(text)
    }
}
