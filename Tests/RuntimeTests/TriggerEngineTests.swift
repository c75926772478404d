import ConfigRepo
import Foundation
import Synchronization
import Testing
@testable import Runtime

/// The trigger engine inside a real runtime: statuses published into the status store, actions
/// executed by real processes of the Python test driver, instances following applied snapshots.
@Suite(.serialized) struct TriggerEngineTests {
    static let trigger = "trigger-hot"

    /// `sys-test` (Tester_1 = mod-a, Tester_2 = mod-b) in `zone-test`, which applies `trigger-hot`:
    /// Tester_1.level > `threshold` → Tester_2.set_status("fired", "hot"). `sys-two` (Tester_1 =
    /// mod-c) is in the zone only with `twoInZone`.
    static func snapshot(trigger: [String: JSONValue]? = nil, twoInZone: Bool = false, zoneTriggers: [String] = [trigger],
                         extra: [String: [String: JSONValue]] = [:], commit: ObjectID? = nil) -> Snapshot {
        let fixtures = URL(fileURLWithPath: PythonDriverBuilding.driver).deletingLastPathComponent().path
        var files: [String: [String: JSONValue]] = [
            "repositories/repo-local.json": ["name": "Local", "repo_type": "driver", "folder_name": "local", "uri": .string("file://" + fixtures)],
            "drivers/driver-python.json": ["name": "Python", "repository_id": "repo-local", "file_name": "python_driver.py",
                                           "role": 1, "module_name": "Tester", "default_port": 9],
            "modules/mod-a.json": ["driver_id": "driver-python", "ip": "127.0.0.1"],
            "modules/mod-b.json": ["driver_id": "driver-python", "ip": "127.0.0.1"],
            "modules/mod-c.json": ["driver_id": "driver-python", "ip": "127.0.0.1"],
            "systems/sys-test.json": ["name": "Test", "modules": ["mod-a", "mod-b"], "zones": ["zone-test"]],
            "systems/sys-two.json": ["name": "Two", "modules": ["mod-c"], "zones": twoInZone ? ["zone-test"] : []],
            "zones/zone-test.json": ["name": "Test zone", "triggers": .array(zoneTriggers.map(JSONValue.string))],
            "triggers/\(Self.trigger).json": trigger ?? hot(threshold: 5),
        ]
        files.merge(extra) { $1 }
        return Snapshot(commit: commit, files: files.map { path, members in
            RepoFile(path: path, blob: SampleConfig.blob(path + JSONWriter.compactString(.object(members))),
                     bytes: JSONWriter.canonicalBytes(.object(members)))
        })
    }

    static func hot(threshold: Int, actionModule: String = "Tester_2", method: String = "set_status",
                    args: JSONValue = ["key": "fired", "value": "hot"], extraConditions: [String: JSONValue] = [:],
                    members: [String: JSONValue] = [:]) -> [String: JSONValue] {
        var conditions: [String: JSONValue] = [
            "comparisons": [["left": ["mod": "Tester_1", "status": "level"], "operator": "greater_than", "right": .int(threshold)]],
        ]
        conditions.merge(extraConditions) { $1 }
        var trigger: [String: JSONValue] = [
            "name": "Too hot", "conditions": .object(conditions),
            "actions": ["functions": [["mod": .string(actionModule), "method": .string(method), "args": args]]],
        ]
        trigger.merge(members) { $1 }
        return trigger
    }

    static func engine(_ snapshot: Snapshot = snapshot(), statusDirectory: String? = nil) -> RuntimeEngine {
        var configuration = RuntimeConfiguration(statusDirectory: statusDirectory)
        configuration.timing.execTimeout = 5
        let engine = RuntimeEngine(configuration: configuration, repository: nil, secretBox: SampleSecrets.box)
        engine.apply(snapshot)
        return engine
    }

    static var instance: String { TriggerInstanceConfig.derivedID(system: "sys-test", trigger: trigger) }

    /// Counts the `set_status` execs mod-b's driver receives (its debug log says each one).
    final class ExecCounter: Sendable {
        final class Count: Sendable { let value = Mutex(0) }
        let count = Count()
        let token: Int
        let engine: RuntimeEngine
        init(_ engine: RuntimeEngine, module: String = "mod-b") {
            self.engine = engine
            let count = self.count
            token = engine.debug(module: module) { _, _, message in
                if message.hasPrefix("exec set_status") { count.value.withLock { $0 += 1 } }
            }
        }
        var value: Int { count.value.withLock { $0 } }
        func stop() { engine.stopDebugging(token) }
    }

    static func ready(_ engine: RuntimeEngine, _ modules: [String] = ["mod-a", "mod-b"]) async -> Bool {
        await eventually { modules.allSatisfy { engine.moduleState($0) == .running } }
    }

    @Test func aStatusChangeFiresTheActionOnceOnEachEdge() async {
        let engine = Self.engine()
        #expect(await Self.ready(engine))
        let execs = ExecCounter(engine)
        let triggers = engine.triggers
        #expect(triggers.instances(of: "sys-test").map(\.instanceID) == [Self.instance])
        engine.status.set(module: "mod-a", key: "level", value: 3)
        #expect(triggers.state(of: Self.instance)?.conditions == ["comparison_0": false])
        engine.status.set(module: "mod-a", key: "level", value: 7)
        #expect(await eventually { engine.status.value(module: "mod-b", key: "fired") == "hot" })
        engine.status.set(module: "mod-a", key: "level", value: 8)   // still above: no second firing
        engine.status.set(module: "mod-a", key: "level", value: 2)
        engine.status.set(module: "mod-a", key: "level", value: 9)
        #expect(await eventually { execs.value == 2 })
        let state = triggers.state(of: Self.instance)
        #expect(state?.triggered == true && state?.triggerCount == 2 && state?.actionErrors == 0)
        #expect(state?.lastFired != nil && state?.problems == [])
        try? await Task.sleep(for: .milliseconds(200))
        #expect(execs.value == 2)
        execs.stop()
        await engine.shutdown()
    }

    @Test func instancesFollowHotApplyWithoutDisturbingOthers() async {
        let engine = Self.engine()
        #expect(await Self.ready(engine))
        let triggers = engine.triggers
        let first = triggers.registry.withLock { $0.instances[Self.instance] }
        engine.status.set(module: "mod-a", key: "level", value: 7)
        #expect(await eventually { triggers.state(of: Self.instance)?.triggerCount == 1 })

        // A commit puts sys-two into the zone: it gets its instance; sys-test's is not touched.
        engine.apply(Self.snapshot(twoInZone: true))
        let two = TriggerInstanceConfig.derivedID(system: "sys-two", trigger: Self.trigger)
        #expect(triggers.instances(of: "sys-two").map(\.instanceID) == [two])
        #expect(triggers.registry.withLock { $0.instances[Self.instance] } === first)
        #expect(await Self.ready(engine, ["mod-c"]))
        engine.status.set(module: "mod-c", key: "level", value: 50)
        #expect(await eventually { triggers.state(of: two)?.triggerCount == 1 })
        #expect(await eventually { triggers.state(of: two)?.actionErrors == 1 })   // sys-two has no Tester_2
        #expect(triggers.state(of: two)?.problems == ["actions.functions[0]: system sys-two has no module Tester_2"])

        // An edit of the trigger restarts its instances with their counters: still triggered, no new firing.
        engine.apply(Self.snapshot(trigger: Self.hot(threshold: 6), twoInZone: true))
        #expect(triggers.registry.withLock { $0.instances[Self.instance] } !== first)
        let edited = triggers.state(of: Self.instance)
        #expect(edited?.triggerCount == 1 && edited?.triggered == true)
        engine.status.set(module: "mod-a", key: "level", value: 6)      // not above 6 any more
        #expect(await eventually { triggers.state(of: Self.instance)?.triggered == false })

        // The zone drops the trigger: its instances stop.
        engine.apply(Self.snapshot(trigger: Self.hot(threshold: 6), twoInZone: true, zoneTriggers: []))
        #expect(triggers.instanceIDs.isEmpty)
        engine.status.set(module: "mod-a", key: "level", value: 99)
        #expect(triggers.state(of: Self.instance) == nil)
        await engine.shutdown()
    }

    @Test func whatCannotRunIsReportedOnTheInstance() async {
        let trigger = Self.hot(threshold: 1, method: "nope", extraConditions: [
            "comparisons": [
                ["left": ["mod": "Tester_1", "status": "level"], "operator": "greater_than", "right": 1],
                ["left": ["mod": "Missing_1", "status": "x"], "operator": "equal", "right": true],
            ],
        ])
        let engine = Self.engine(Self.snapshot(trigger: trigger))
        #expect(await Self.ready(engine))
        let triggers = engine.triggers
        #expect(await eventually { triggers.state(of: Self.instance)?.problems.count == 2 })
        #expect(triggers.state(of: Self.instance)?.problems == [
            "comparison_1: system sys-test has no module Missing_1",
            "actions.functions[0]: Tester_2 has no function `nope` (it has: add, call, crash, echo, fail, garbage, hang, lamp_reset, log, never, save_setting, service_menu, set_status, slow, watch, webhook)",
        ])
        engine.apply(Self.snapshot(trigger: Self.hot(threshold: 1, args: ["key": 5])))
        #expect(await eventually {
            triggers.state(of: Self.instance)?.problems == ["actions.functions[0]: Tester_2.set_status: set_status(key, value): `key` must be of type string, found number 5"]
        })
        await engine.shutdown()
    }

    @Test func aComparisonThatCannotBeMadeIsACountedErrorNotACrash() async {
        let engine = Self.engine()
        #expect(await Self.ready(engine))
        let triggers = engine.triggers
        engine.status.set(module: "mod-a", key: "level", value: "warm")
        engine.status.set(module: "mod-a", key: "level", value: .null)
        let state = triggers.state(of: Self.instance)
        #expect(state?.comparisonErrors == 2 && state?.triggered == false)
        #expect(state?.lastError == "comparison_0 (Tester_1.level greater_than 5): greater_than needs two numbers, got no value and 5")
        await engine.shutdown()
    }

    @Test func forAndARestartKeepTheCountersWithoutFiringAgain() async throws {
        let directory = NSTemporaryDirectory() + "trigger-state-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let snapshot = Self.snapshot(trigger: Self.hot(threshold: 5, extraConditions: ["time_dependents": [["type": "for", "seconds": 1]]]))
        let engine = Self.engine(snapshot, statusDirectory: directory)
        #expect(await Self.ready(engine))
        let execs = ExecCounter(engine)
        engine.status.set(module: "mod-a", key: "level", value: 7)
        #expect(engine.triggers.state(of: Self.instance)?.conditions == ["comparison_0": true, "time_0": false])
        #expect(await eventually { execs.value == 1 })
        #expect(engine.triggers.state(of: Self.instance)?.conditions == ["comparison_0": true, "time_0": true])
        execs.stop()
        await engine.shutdown()

        // The status snapshot still says level 7: the restored instance knows it fired already.
        let again = Self.engine(snapshot, statusDirectory: directory)
        #expect(await Self.ready(again))
        let restarted = ExecCounter(again)
        let state = again.triggers.state(of: Self.instance)
        #expect(state?.triggerCount == 1 && state?.triggered == true && state?.lastFired != nil)
        try await Task.sleep(for: .milliseconds(1500))
        #expect(restarted.value == 0)
        restarted.stop()
        await again.shutdown()
    }

    @Test func webhookPulsesNeedTheSecretAndASupportedMethod() async {
        let trigger = Self.hot(threshold: 0, members: ["enable_webhook": true, "supported_methods": ["POST", "PUT"]])
        let engine = Self.engine(Self.snapshot(trigger: trigger))
        #expect(await Self.ready(engine))
        let triggers = engine.triggers
        let secret = try? #require(triggers.webhookSecret(of: Self.instance))
        #expect(secret == TriggerInstanceSpec.derivedSecret(box: SampleSecrets.box, instance: Self.instance))
        #expect(secret?.count == 43)
        engine.status.set(module: "mod-a", key: "level", value: 1)
        #expect(triggers.state(of: Self.instance)?.triggerCount == 0)   // waits for the webhook
        #expect(triggers.pulseWebhook(instance: Self.instance, secret: "wrong", method: "POST") == .notFound)
        #expect(triggers.pulseWebhook(instance: "trig-nope", secret: secret ?? "", method: "POST") == .notFound)
        #expect(triggers.pulseWebhook(instance: Self.instance, secret: secret ?? "", method: "GET") == .methodNotAllowed(allowed: ["POST", "PUT"]))
        #expect(triggers.pulseWebhook(instance: Self.instance, secret: secret ?? "", method: "put")
                == .accepted(systemID: "sys-test", execEnabled: false))
        #expect(await eventually { engine.status.value(module: "mod-b", key: "fired") == "hot" })
        #expect(triggers.state(of: Self.instance)?.triggerCount == 1)
        #expect(triggers.state(of: Self.instance)?.triggered == false)   // a pulse is an instant without debounce
        await engine.shutdown()
    }

    @Test func fireNowRunsTheActionsAndSaysHowEachWent() async {
        let trigger = Self.hot(threshold: 100, members: ["actions": ["functions": [
            ["mod": "Tester_2", "method": "set_status", "args": ["key": "fired", "value": "by hand"]],
            ["mod": "Tester_2", "method": "fail"],
        ]]])
        let engine = Self.engine(Self.snapshot(trigger: trigger))
        #expect(await Self.ready(engine))
        let watched = Mutex<[TriggerInstanceState]>([])
        let token = engine.triggers.watch(instance: Self.instance) { state in watched.withLock { $0.append(state) } }
        #expect(token != nil)
        let outcomes = await engine.triggers.fire(instance: Self.instance)
        #expect(outcomes == [TriggerActionOutcome(action: "Tester_2.set_status", error: nil),
                             TriggerActionOutcome(action: "Tester_2.fail", error: "the device said no")])
        #expect(engine.status.value(module: "mod-b", key: "fired") == "by hand")
        let state = engine.triggers.state(of: Self.instance)
        #expect(state?.triggerCount == 1 && state?.actionErrors == 1 && state?.lastError == "Tester_2.fail: the device said no")
        #expect(watched.withLock { $0.first?.triggerCount } == 0)
        #expect(watched.withLock { $0.last } == state)
        engine.triggers.unwatch(token!)
        #expect(await engine.triggers.fire(instance: "trig-nope") == nil)
        await engine.shutdown()
    }

    @Test func switchingAZoneInstanceOffAndOnIsACommitOnItsSystem() async throws {
        let path = NSTemporaryDirectory() + "trigger-switch-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let repository = ConfigRepository(store: try ConfigStore.create(at: path, from: nil, message: "empty"), secretBox: SampleSecrets.box)
        try repository.apply(Self.snapshot().allDocuments.map { .save(ConfigDocument(ref: $0.ref, members: $0.members)) },
                             author: .backoffice, message: "the test building")
        let engine = RuntimeEngine(configuration: RuntimeConfiguration(), repository: repository, secretBox: SampleSecrets.box)
        engine.apply(try repository.headSnapshot())
        #expect(await Self.ready(engine))
        let triggers = engine.triggers
        let author = Signature(name: "Ada", email: "ada@example.com")

        let off = try #require(try triggers.setEnabled(instance: Self.instance, enabled: false, author: author))
        #expect(off.message == "systems: trigger \"Too hot\" in \"Test\" disabled")
        let system = try #require(try repository.headSnapshot().document(.system, "sys-test"))
        #expect(system["triggers"] == [["id": .string(Self.instance), "trigger_id": .string(Self.trigger), "enabled": false]])
        #expect(triggers.state(of: Self.instance)?.enabled == false)
        engine.status.set(module: "mod-a", key: "level", value: 50)
        #expect(triggers.state(of: Self.instance)?.triggerCount == 0)

        _ = try triggers.setEnabled(instance: Self.instance, enabled: true, execEnabled: true, author: author)
        let entry = try repository.headSnapshot().triggerInstances(ofSystem: "sys-test")[0]
        #expect(entry.origin == .systemEntry(0) && entry.enabled && entry.execEnabled && entry.id == Self.instance)
        #expect(triggers.state(of: Self.instance)?.enabled == true)
        #expect(await eventually { triggers.state(of: Self.instance)?.triggerCount == 1 })   // level 50 holds
        #expect(try triggers.setEnabled(instance: Self.instance, enabled: true, author: author) == nil)
        await engine.shutdown()
    }
}
