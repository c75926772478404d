import Auth
@testable import BackOfficeApp
import ConfigRepo
import Runtime
import TestSupport
import Testing
import WebServer

/// Trigger webhooks, the REST instance routes and the `_TRIGGER_` binding in process, through the
/// router, against real driver processes: `sys-test` has an instance `trig-web` of a trigger that
/// fires when Tester_1's `level` exceeds 5 and a webhook POST or PUT comes (a pulse that holds
/// for a minute), exec enabled.
@Suite(.serialized) struct TriggerWebTests {
    static let base = "/api/engine/v2"
    static let instance = "trig-web"

    static func snapshot(execEnabled: Bool = true) -> Snapshot {
        PythonDriverBuilding.snapshot(extra: [
            "triggers/trigger-web.json": [
                "name": "Level high", "enable_webhook": true, "supported_methods": ["POST", "PUT"], "debounce_period": 60_000,
                "conditions": ["comparisons": [["left": ["mod": "Tester_1", "status": "level", "keys": []],
                                                "operator": "greater_than", "right": 5]]],
                "actions": [:],
            ],
            "systems/sys-test.json": ["name": "Test", "modules": ["mod-a", "mod-b", "mod-bad"],
                                      "triggers": [["id": .string(instance), "trigger_id": "trigger-web", "exec_enabled": .bool(execEnabled)]]],
        ])
    }

    static func secret(_ bed: EngineTestbed) throws -> String {
        try #require(bed.engine.triggers.webhookSecret(of: instance))
    }

    @Test func aWebhookPulseIsAcceptedAndCountedOnlyWithTheSecretAndAnAcceptedMethod() async throws {
        let bed = try await EngineTestbed(Self.snapshot(execEnabled: false))
        let secret = try Self.secret(bed)
        let notify = Self.base + "/webhook/\(Self.instance)/notify"
        #expect(try await bed.send(.post, notify + "?secret=" + secret, as: nil).status.code == 202)
        #expect(bed.engine.triggers.state(of: Self.instance)?.conditions["webhook"] == true)
        #expect(try await bed.send(.put, notify + "/" + secret, as: nil).status.code == 202)
        // A wrong secret and an unknown instance get the same answer; a method the trigger does not take, 405.
        let wrong = try await bed.send(.post, notify + "?secret=" + String(secret.reversed()), as: nil)
        let unknown = try await bed.send(.post, Self.base + "/webhook/trig-nope/notify/" + secret, as: nil)
        #expect(wrong.status == .notFound && unknown.status == .notFound && wrong.text == unknown.text)
        #expect(try await bed.send(.post, notify, as: nil).status == .notFound)
        let get = try await bed.send(.get, notify + "/" + secret, as: nil)
        #expect(get.status == .methodNotAllowed && get.headers["allow"] == "POST, PUT")
        // Asking to exec without exec_enabled is only a pulse.
        let exec = try await bed.send(.post, notify + "/" + secret + "/Tester/1/webhook", json: "x", as: nil)
        #expect(exec.status.code == 202 && exec.body.isEmpty)
        await bed.shutdown()
    }

    @Test func aWebhookExecCallsTheFunctionWithTheRequestAndAnswersWithItsResponse() async throws {
        let bed = try await EngineTestbed(Self.snapshot())
        let secret = try Self.secret(bed)
        let path = Self.base + "/webhook/\(Self.instance)/notify/\(secret)/Tester/1/webhook?room=7"
        let response = try await bed.send(.put, path, json: "{\"people\": 0}", as: nil, headers: [("Cookie", "bo_session=x")])
        #expect(response.status.code == 201)
        #expect(response.headers["x-handled-by"] == "mod-a")
        #expect(response.text == "handled PUT {\"people\": 0}")
        let call = bed.engine.status.value(module: "mod-a", key: "webhook_call")
        #expect(call?["query"] == "room=7" && call?["cookie"] == false && call?["method"] == "PUT")
        // The query form, whose secret never reaches the driver.
        let query = Self.base + "/webhook/\(Self.instance)/notify?secret=\(secret)&exec=true&mod=Tester&index=1&method=webhook"
        #expect(try await bed.send(.post, query, json: "b", as: nil).text == "handled POST b")
        let forwarded = bed.engine.status.value(module: "mod-a", key: "webhook_call")?["query"]?.stringValue ?? ""
        #expect(!forwarded.contains(secret) && forwarded.contains("exec=true"))
        await bed.shutdown()
    }

    @Test func callsBeyondTheRateAreRefusedPerInstance() async throws {
        let bed = try await EngineTestbed(Self.snapshot(execEnabled: false), webhookLimiter: WebhookRateLimiter(perSecond: 0.001, burst: 2))
        let secret = try Self.secret(bed)
        let notify = Self.base + "/webhook/\(Self.instance)/notify/" + secret
        #expect(try await bed.send(.post, notify, as: nil).status.code == 202)
        #expect(try await bed.send(.post, notify, as: nil).status.code == 202)
        let third = try await bed.send(.post, notify, as: nil)
        #expect(third.status.code == 429 && third.headers["retry-after"] != nil)
        // Wrong secrets spend nothing and still get 404.
        #expect(try await bed.send(.post, notify + "x", as: nil).status == .notFound)
        await bed.shutdown()
    }

    @Test func restListsInstancesWithLiveStateAndTheSecretOnlyForAdmins() async throws {
        let bed = try await EngineTestbed(Self.snapshot())
        let secret = try Self.secret(bed)
        let list = try await bed.send(.get, Self.base + "/systems/sys-test/triggers", as: .user)
        #expect(list.status == .ok && list.headers["x-total-count"] == "1")
        let first = try JSONParser.parse(list.body).arrayValue?.first
        #expect(first?["id"] == .string(Self.instance) && first?["trigger_id"] == "trigger-web" && first?["exec_enabled"] == true)
        #expect(first?["trigger_count"] == 0 && first?["conditions"]?["comparison_0"] == false)
        #expect(first?["webhook_secret"] == nil && !list.text.contains(secret))
        let support = try await bed.send(.get, Self.base + "/systems/sys-test/triggers/" + Self.instance, as: .support)
        #expect(support.status == .ok && !support.text.contains(secret))
        let admin = try JSONParser.parse(try await bed.send(.get, Self.base + "/systems/sys-test/triggers/" + Self.instance, as: .admin).body)
        #expect(admin["webhook_secret"] == .string(secret))
        let byTrigger = try JSONParser.parse(try await bed.send(.get, Self.base + "/triggers/trigger-web/instances").body)
        #expect(byTrigger.arrayValue?.count == 1)
        #expect(try await bed.send(.get, Self.base + "/systems/sys-nope/triggers").status == .notFound)
        #expect(try await bed.send(.get, Self.base + "/systems/sys-test/triggers/trig-nope").status == .notFound)
        // Without a repository there is nothing to commit to: a clear error, nothing changed.
        let put = try await bed.send(.put, Self.base + "/systems/sys-test/triggers/" + Self.instance, json: "{\"enabled\": \"yes\"}", as: .support)
        #expect(put.status == .badRequest && put.text.contains("true or false"))
        await bed.shutdown()
    }

    @Test func aTriggerBindingStreamsTheInstanceState() async throws {
        let bed = try await EngineTestbed(Self.snapshot())
        let client = try await bed.connect(as: .user)
        client.send(text: "{\"id\": 1, \"cmd\": \"bind\", \"sys\": \"sys-test\", \"mod\": \"_TRIGGER_\", \"name\": \"\(Self.instance)\"}")
        #expect(await client.nextJSON()?["type"] == "success")
        let first = await client.nextJSON()
        #expect(first?["type"] == "notify" && first?["value"]?["triggered"] == false)
        #expect(first?["meta"]?["mod"] == "_TRIGGER_")
        #expect(try await bed.send(.post, Self.base + "/modules/mod-a/exec/set_status", json: "[\"level\", 9]", as: .support).status == .ok)
        let secret = try Self.secret(bed)
        #expect(try await bed.send(.post, Self.base + "/webhook/\(Self.instance)/notify/" + secret, as: nil).status.code == 202)
        var triggered = false
        while !triggered, let next = await client.nextJSON() {
            triggered = next["value"]?["triggered"] == true && next["value"]?["trigger_count"] == 1
        }
        #expect(triggered)
        client.send(text: "{\"id\": 2, \"cmd\": \"bind\", \"sys\": \"sys-other\", \"mod\": \"_TRIGGER_\", \"name\": \"\(Self.instance)\"}")
        var refusal: JSONValue?
        while refusal == nil, let next = await client.nextJSON() {
            if next["id"] == 2 { refusal = next }
        }
        #expect(refusal?["type"] == "error" && refusal?["error_code"] == 6)
        client.close()
        await bed.shutdown()
    }
}
