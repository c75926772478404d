import Auth
@testable import BackOfficeApp
import ConfigRepo
import TestSupport
import Testing
import WebServer

/// The PlaceOS control WebSocket and the site's live feed in process: the same route, gate and
/// session as over a socket (`Router.connectWebSocket`), against real driver processes.
@Suite(.serialized) struct ControlSessionTests {
    @Test func bindNotifiesExecAnswersAndPingPongs() async throws {
        let bed = try await EngineTestbed()
        let client = try await bed.connect()
        client.send(text: "{\"id\": 1, \"cmd\": \"bind\", \"sys\": \"sys-test\", \"mod\": \"Tester\", \"index\": 1, \"name\": \"greeting\"}")
        let bound = await client.nextJSON()
        #expect(bound?["type"] == "success" && bound?["id"] == 1)
        let notify = await client.nextJSON()
        #expect(notify?["type"] == "notify" && notify?["value"] == "hello")
        client.send(text: "{\"id\": 2, \"cmd\": \"exec\", \"sys\": \"sys-test\", \"mod\": \"Tester\", \"index\": 2, \"name\": \"add\", \"args\": [20, 22]}")
        let result = await client.nextJSON()
        #expect(result?["id"] == 2 && result?["value"] == 42)
        client.send(text: "ping")
        #expect(await client.nextJSON() == "pong")
        client.send(text: "{\"id\": 3, \"cmd\": \"nope\"}")
        let refused = await client.nextJSON()
        #expect(refused?["type"] == "error" && refused?["error_code"] == 1)
        client.close()
        await bed.shutdown()
    }

    @Test func roleLimitsAreAnsweredPerCommand() async throws {
        let bed = try await EngineTestbed()
        let user = try await bed.connect(as: .user)
        user.send(text: "{\"id\": 1, \"cmd\": \"debug\", \"mod\": \"mod-a\"}")
        let debug = await user.nextJSON()
        #expect(debug?["type"] == "error" && debug?["error_code"] == 2)
        user.send(text: "{\"id\": 2, \"cmd\": \"exec\", \"sys\": \"sys-test\", \"mod\": \"Tester\", \"name\": \"lamp_reset\"}")
        let exec = await user.nextJSON()
        #expect(exec?["type"] == "error" && exec?["error_code"] == 2)
        user.close()
        // Without a signed-in principal the session ends at once, and the gate's refusal is an answer.
        let anonymous = try await bed.connect(as: nil)
        #expect(await anonymous.nextJSON()?["msg"] == "sign in required")
        #expect(await anonymous.nextJSON() == nil && anonymous.serverCloseCode == 1008)
        let notFound = await bed.router.connectWebSocket(try Request(method: .get, target: "/api/engine/v2/nowhere"))
        if case .failure(let instead) = notFound { #expect(instead.response.status == .notFound) } else { Issue.record("expected a 404") }
        await bed.shutdown()
    }

    @Test func theLiveFeedSendsDotsAndCounts() async throws {
        let bed = try await EngineTestbed()
        let client = try await bed.connect("/api/engine/v2/live")
        client.send(text: "{\"watch\": \"modules\", \"ids\": [\"mod-a\", \"mod-bad\"]}")
        let first = await client.nextJSON(), second = await client.nextJSON()
        #expect(first?["id"] == "mod-a" && ["online", "offline"].contains(first?["dot"]?.stringValue ?? ""))
        #expect(second?["id"] == "mod-bad" && ["starting", "failed"].contains(second?["dot"]?.stringValue ?? ""))
        client.send(text: "{\"watch\": \"counts\"}")
        #expect(await client.nextJSON()?["type"] == "counts")
        client.close()
        await bed.shutdown()
    }
}
