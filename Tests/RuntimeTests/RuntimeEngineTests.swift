import ConfigRepo
import Foundation
import Synchronization
import Testing
@testable import Runtime

/// The engine with real processes of the Python test driver (written from the protocol doc).
@Suite(.serialized) struct RuntimeEngineTests {
    /// The Python-driver building (`PythonDriverBuilding`).
    static func snapshot(moduleOrder: [String] = ["mod-a", "mod-b", "mod-bad"], extra: [String: [String: JSONValue]] = [:],
                         commit: ObjectID? = nil) -> Snapshot {
        PythonDriverBuilding.snapshot(moduleOrder: moduleOrder, extra: extra, commit: commit)
    }

    static func engine(statusDirectory: String? = nil, tweak: (inout DriverHostTiming) -> Void = { _ in }) -> RuntimeEngine {
        var configuration = RuntimeConfiguration(statusDirectory: statusDirectory)
        configuration.timing.execTimeout = 2
        configuration.timing.firstRestartDelay = 0.1
        tweak(&configuration.timing)
        let engine = RuntimeEngine(configuration: configuration, repository: nil, secretBox: SampleSecrets.box)
        engine.apply(snapshot())
        return engine
    }

    static func running(_ engine: RuntimeEngine, _ modules: [String] = ["mod-a", "mod-b"]) async -> Bool {
        await eventually { modules.allSatisfy { engine.moduleState($0) == .running } }
    }

    @Test func aValidHeadEndsTheInvalidOne() async {
        let engine = RuntimeEngine(configuration: RuntimeConfiguration(), repository: nil, secretBox: SampleSecrets.box)
        let invalid = Self.snapshot(extra: ["modules/mod-b.json": ["driver_id": "driver-gone", "ip": "127.0.0.1"]],
                                    commit: ObjectID(hex: String(repeating: "1", count: 40)))
        engine.receive(invalid)
        #expect(engine.invalidHead?.commit == invalid.commit)
        engine.receive(Self.snapshot(commit: ObjectID(hex: String(repeating: "2", count: 40))))
        #expect(engine.invalidHead == nil)
        await engine.shutdown()
    }

    @Test func execStatusAndAFailedStartBesideRunningModules() async throws {
        let engine = Self.engine()
        #expect(await Self.running(engine))
        #expect(await engine.exec(module: "mod-a", method: "echo", args: ["hi"], role: .user) == .success("hi"))
        #expect(await engine.exec(system: "sys-test", name: "Tester", index: 2, method: "add", args: [2, 3], role: .user) == .success(5))
        #expect(await eventually { engine.moduleState("mod-bad") == .failed("fail_start is set") })
        #expect(engine.status.value(module: "mod-a", key: "greeting") == "hello")
        #expect(engine.processes().count == 1)
        await engine.shutdown()
    }

    @Test func badCallsGetTheRightErrorWithoutReachingTheDriver() async {
        let engine = Self.engine()
        #expect(await Self.running(engine))
        func code(_ result: Result<JSONValue, RuntimeError>) -> String? {
            if case .failure(let error) = result { return error.code }
            return nil
        }
        #expect(code(await engine.exec(module: "mod-a", method: "echo", args: [1], role: .user)) == "bad_arguments")
        #expect(code(await engine.exec(module: "mod-a", method: "echo", args: [], role: .user)) == "bad_arguments")
        #expect(code(await engine.exec(module: "mod-a", method: "nope", args: [], role: .user)) == "unknown_method")
        #expect(code(await engine.exec(module: "mod-zz", method: "echo", args: ["x"], role: .user)) == "unknown_module")
        #expect(code(await engine.exec(system: "sys-zz", name: "Tester", index: 1, method: "echo", args: ["x"], role: .user)) == "unknown_system")
        #expect(code(await engine.exec(system: "sys-test", name: "Tester", index: 9, method: "echo", args: ["x"], role: .user)) == "unknown_module")
        #expect(code(await engine.exec(module: "mod-a", method: "lamp_reset", args: [], role: .support)) == "access_denied")
        #expect(code(await engine.exec(module: "mod-a", method: "lamp_reset", args: [], role: .admin)) == nil)
        #expect(code(await engine.exec(module: "mod-bad", method: "echo", args: ["x"], role: .user)) == "not_running")
        #expect(await engine.exec(module: "mod-a", method: "fail", args: [], role: .user)
                == .failure(RuntimeError(code: "failed", message: "the device said no")))
        #expect(code(await engine.exec(module: "mod-a", method: "never", args: [], role: .user, timeout: 0.3)) == "timeout")
        // Garbage on stdout is logged, not fatal.
        #expect(await engine.exec(module: "mod-a", method: "garbage", args: [], role: .user) == .success("after garbage"))
        #expect(await engine.exec(module: "mod-a", method: "echo", args: ["still"], role: .user) == .success("still"))
        await engine.shutdown()
    }

    /// One timer serves every call's timeout: a call with a short timeout sent after one with a
    /// long timeout still ends at its own deadline, and so does the next one after that.
    @Test func eachCallTimesOutAtItsOwnDeadline() async {
        let engine = Self.engine()
        #expect(await Self.running(engine))
        let longAnswer = Mutex<Result<JSONValue, RuntimeError>?>(nil)
        engine.exec(module: "mod-a", method: "never", args: [], role: .user, timeout: 60) { result in
            longAnswer.withLock { $0 = result }
        }
        let timedOut = Result<JSONValue, RuntimeError>.failure(RuntimeError(code: "timeout", message: "the driver did not answer never within 0.3 s"))
        #expect(await engine.exec(module: "mod-a", method: "never", args: [], role: .user, timeout: 0.3) == timedOut)
        #expect(await engine.exec(module: "mod-a", method: "never", args: [], role: .user, timeout: 0.3) == timedOut)
        #expect(longAnswer.withLock { $0 } == nil)
        #expect(await engine.exec(module: "mod-a", method: "echo", args: ["still"], role: .user) == .success("still"))
        await engine.shutdown()
    }

    @Test func aCrashFailsTheCallInFlightAndTheModulesComeBackInANewProcess() async {
        let engine = Self.engine()
        #expect(await Self.running(engine))
        let pid = engine.processID(ofModule: "mod-a")
        let crash = await engine.exec(module: "mod-a", method: "crash", args: [], role: .user)
        #expect((try? crash.get()) == nil)
        if case .failure(let error) = crash { #expect(error.code == "driver_crashed") }
        #expect(await Self.running(engine))
        #expect(engine.processID(ofModule: "mod-a") != pid)
        #expect(await engine.exec(module: "mod-b", method: "echo", args: ["back"], role: .user) == .success("back"))
        await engine.shutdown()
    }

    @Test func aHungProcessIsKilledByTheLivenessCheckAndRestarted() async {
        let engine = Self.engine { timing in
            timing.livenessInterval = 0.3
            timing.livenessTimeout = 0.3
        }
        #expect(await Self.running(engine))
        let pid = engine.processID(ofModule: "mod-a")
        let hang = await engine.exec(module: "mod-a", method: "hang", args: [], role: .user, timeout: 5)
        if case .failure(let error) = hang { #expect(["driver_crashed", "timeout"].contains(error.code)) } else { Issue.record("hang answered") }
        #expect(await eventually { engine.processID(ofModule: "mod-a") != pid && engine.moduleState("mod-a") == .running })
        #expect(await engine.exec(module: "mod-a", method: "echo", args: ["alive"], role: .user) == .success("alive"))
        await engine.shutdown()
    }

    @Test func debugStreamsDriverLogsAndStderr() async {
        let engine = Self.engine()
        #expect(await Self.running(engine))
        let lines = Mutex<[String]>([])
        let token = engine.debug(module: "mod-a") { _, level, message in lines.withLock { $0.append("\(level): \(message)") } }
        _ = await engine.exec(module: "mod-a", method: "log", args: ["boo"], role: .user)
        _ = await engine.exec(module: "mod-a", method: "garbage", args: [], role: .user)
        #expect(await eventually {
            let seen = lines.withLock { $0 }
            return seen.contains("info: info says boo") && seen.contains("info: stderr says boo")
                && seen.contains { $0.hasPrefix("error: protocol error:") } && seen.contains { $0.hasPrefix("debug: exec log") }
        })
        engine.stopDebugging(token)
        await engine.shutdown()
    }

    @Test func hotApplyUpdatesRemapsAndStops() async {
        let engine = Self.engine()
        #expect(await Self.running(engine))
        let pid = engine.processID(ofModule: "mod-a")
        let seen = Mutex<[JSONValue]>([])
        guard case .success(let (_, value)) = engine.subscribe(system: "sys-test", name: "Tester", index: 1, key: "greeting", { v in
            seen.withLock { $0.append(v) }
        }) else { Issue.record("subscribe failed"); return }
        #expect(value == "hello")
        // Settings change: update, same process.
        engine.apply(Self.snapshot(extra: ["modules/mod-a.json": ["driver_id": "driver-python", "ip": "127.0.0.1",
                                                                  "settings": ["none": ["greeting": "bonjour"]]]]))
        #expect(await eventually { seen.withLock { $0.last } == "bonjour" })
        #expect(engine.processID(ofModule: "mod-a") == pid)
        // Re-order: Tester_1 is now mod-b, whose greeting is unset.
        engine.apply(Self.snapshot(moduleOrder: ["mod-b", "mod-a", "mod-bad"],
                                   extra: ["modules/mod-a.json": ["driver_id": "driver-python", "ip": "127.0.0.1",
                                                                   "settings": ["none": ["greeting": "bonjour"]]]]))
        #expect(await eventually { seen.withLock { $0.last } == .null })
        #expect(engine.resolve(system: "sys-test", name: "Tester", index: 1) == .success("mod-b"))
        _ = await engine.exec(module: "mod-b", method: "set_status", args: ["greeting", "from b"], role: .user)
        #expect(await eventually { seen.withLock { $0.last } == "from b" })
        // running: false stops just that module.
        engine.apply(Self.snapshot(extra: ["modules/mod-b.json": ["driver_id": "driver-python", "ip": "127.0.0.1", "running": false]]))
        #expect(await eventually { engine.moduleState("mod-b") == .stopped })
        #expect(engine.moduleState("mod-a") == .running)
        #expect(engine.processID(ofModule: "mod-a") == pid)
        await engine.shutdown()
    }

    @Test func aSettingsChangeWhileStartingArrivesAfterTheStart() async {
        var configuration = RuntimeConfiguration()
        configuration.timing.firstRestartDelay = 0.1
        let engine = RuntimeEngine(configuration: configuration, repository: nil, secretBox: SampleSecrets.box)
        engine.apply(Self.snapshot())
        engine.apply(Self.snapshot(extra: ["modules/mod-a.json": ["driver_id": "driver-python", "ip": "127.0.0.1",
                                                                  "settings": ["none": ["greeting": "early"]]]]))
        #expect(await Self.running(engine))
        #expect(await eventually { engine.status.value(module: "mod-a", key: "greeting") == "early" })
        let pid = engine.processID(ofModule: "mod-a")
        #expect(await engine.exec(module: "mod-b", method: "echo", args: ["same process"], role: .user) == .success("same process"))
        #expect(engine.processID(ofModule: "mod-a") == pid)
        await engine.shutdown()
    }

    @Test func logicModulesCallAndWatchOtherModulesByNameIndex() async {
        let engine = Self.engine()
        #expect(await Self.running(engine))
        let engineSnapshot = Self.snapshot(extra: ["modules/mod-a.json": ["driver_id": "driver-python", "control_system_id": "sys-test",
                                                                          "ip": "127.0.0.1", "settings": ["none": ["greeting": "hello"]]]])
        engine.apply(engineSnapshot)
        let called = await engine.exec(module: "mod-a", method: "call", args: ["Tester_2", "add", [40, 2]], role: .user)
        #expect(called.map { $0["ok"] } == .success(true))
        #expect(called.map { $0["value"] } == .success(42))
        _ = await engine.exec(module: "mod-a", method: "watch", args: ["Tester_2", "color"], role: .user)
        _ = await engine.exec(module: "mod-b", method: "set_status", args: ["color", "green"], role: .user)
        #expect(await eventually { engine.status.value(module: "mod-a", key: "watched") == "green" })
        await engine.shutdown()
    }

    @Test func aDriverThatNeverSaysReadyIsKilledAndRetriedWithItsModulesStarting() async {
        var configuration = RuntimeConfiguration()
        configuration.timing.readyTimeout = 1.5   // Python starts within it even on a loaded machine
        configuration.timing.firstRestartDelay = 0.05
        let engine = RuntimeEngine(configuration: configuration, repository: nil, secretBox: SampleSecrets.box)
        let lines = Mutex<[String]>([])
        _ = engine.debug(module: "mod-a") { _, _, message in lines.withLock { $0.append(message) } }
        var driver: [String: JSONValue] = ["name": "Silent", "repository_id": "repo-local", "file_name": "silent_driver.sh",
                                           "role": 1, "module_name": "Tester"]
        engine.apply(Self.snapshot(extra: ["drivers/driver-python.json": driver]))
        #expect(await eventually { (engine.processes().first?.restarts ?? 0) >= 2 })
        #expect(engine.moduleState("mod-a") == .starting)
        if case .failure(let error) = await engine.exec(module: "mod-a", method: "echo", args: ["x"], role: .user) {
            #expect(error.code == "not_running")
        } else {
            Issue.record("exec on a module whose driver never started answered")
        }
        #expect(lines.withLock { $0 }.contains { $0.contains("did not say ready") })
        #expect(lines.withLock { $0 }.contains { $0.contains("protocol error") && $0.contains("not JSON") })
        // Fixing the driver file brings the modules up.
        driver["file_name"] = "python_driver.py"
        engine.apply(Self.snapshot(extra: ["drivers/driver-python.json": driver]))
        #expect(await Self.running(engine))
        await engine.shutdown()
    }

    @Test func statusSurvivesARestartThroughTheSnapshotFile() async {
        let directory = NSTemporaryDirectory() + "runtime-status-\(UUID().uuidString)"
        let engine = Self.engine(statusDirectory: directory)
        #expect(await Self.running(engine))
        _ = await engine.exec(module: "mod-a", method: "set_status", args: ["power", true], role: .user)
        await engine.shutdown()
        let next = RuntimeEngine(configuration: RuntimeConfiguration(statusDirectory: directory), repository: nil, secretBox: SampleSecrets.box)
        #expect(next.status.value(module: "mod-a", key: "power") == true)
        await next.shutdown()
    }
}
