// trigger-bench: the trigger engine's figures (issue 13), release build, run from the checkout.
// 10,000 instances — 2 zone triggers × 5,000 systems — bound to live statuses of 5,000 modules
// hosted by one real driver process (the Python test driver, Tests/RuntimeTests/Fixtures):
//   1. status change → action executed: a status published into the runtime's status store
//      until the driver says it runs the action's exec (its debug log), one change at a time,
//      p50/p99 (no debounce, so all of it is the engine's and the driver's); also with 1,000
//      changes published at once
//   2. evaluations/s: publishes that re-evaluate an instance without firing, from 1 and 2 threads
//   3. RSS per instance: the process's growth when the 10,000 instances start
//   4. hot apply: starting 10,000 instances; a trigger edit (5,000 restarts); a room joining the zone
// Environment: BENCH_SYSTEMS (5000), BENCH_SECONDS (3, per evaluation run), BENCH_SAMPLES (500),
// BENCH_PYTHON_DRIVER (the driver script).
import BenchSupport
import ConfigRepo
import Foundation
import Runtime
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

let environment = ProcessInfo.processInfo.environment
let systemCount = Int(environment["BENCH_SYSTEMS"] ?? "") ?? 5000
let seconds = Double(environment["BENCH_SECONDS"] ?? "") ?? 3
let samples = Int(environment["BENCH_SAMPLES"] ?? "") ?? 500
let driver = environment["BENCH_PYTHON_DRIVER"]
    ?? FileManager.default.currentDirectoryPath + "/Tests/RuntimeTests/Fixtures/python_driver.py"
guard FileManager.default.isExecutableFile(atPath: driver) else {
    print("trigger-bench: no driver at \(driver); run from the checkout or set BENCH_PYTHON_DRIVER")
    exit(2)
}

func file(_ path: String, _ members: [String: JSONValue]) -> RepoFile {
    var hash: UInt64 = 1469598103934665603
    for byte in (path + JSONWriter.compactString(.object(members))).utf8 { hash = (hash ^ UInt64(byte)) &* 1099511628211 }
    let hex = String(format: "%016llx", hash)
    return RepoFile(path: path, blob: ObjectID(hex: hex + hex + String(hex.prefix(8)))!, bytes: JSONWriter.canonicalBytes(.object(members)))
}

/// `trigger-hot`: Sensor_1.temperature > `threshold` → Sensor_1.set_status("hot", true);
/// `trigger-empty`: Sensor_1.people == 0 → Sensor_1.set_status("empty", true).
func building(systems: Int, inZone: Int, zoneTriggers: [String] = ["trigger-hot", "trigger-empty"], threshold: Int = 30) -> Snapshot {
    let directory = URL(fileURLWithPath: driver).deletingLastPathComponent().path
    var files = [
        file("repositories/repo-bench.json", ["name": "Bench", "repo_type": "driver", "folder_name": "bench", "uri": .string("file://" + directory)]),
        file("drivers/driver-bench.json", ["name": "Bench", "repository_id": "repo-bench", "file_name": .string(URL(fileURLWithPath: driver).lastPathComponent),
                                           "role": 1, "module_name": "Sensor", "default_port": 9]),
        file("zones/zone-bench.json", ["name": "Bench zone", "triggers": .array(zoneTriggers.map(JSONValue.string))]),
        file("triggers/trigger-hot.json", ["name": "Too hot", "conditions": [
            "comparisons": [["left": ["mod": "Sensor_1", "status": "temperature"], "operator": "greater_than", "right": .int(threshold)]],
        ], "actions": ["functions": [["mod": "Sensor_1", "method": "set_status", "args": ["key": "hot", "value": true]]]]]),
        file("triggers/trigger-empty.json", ["name": "Empty", "conditions": [
            "comparisons": [["left": ["mod": "Sensor_1", "status": "people"], "operator": "equal", "right": 0]],
        ], "actions": ["functions": [["mod": "Sensor_1", "method": "set_status", "args": ["key": "empty", "value": true]]]]]),
    ]
    for index in 0..<systems {
        files.append(file("modules/mod-b\(index).json", ["driver_id": "driver-bench", "ip": "127.0.0.1"]))
        files.append(file("systems/sys-b\(index).json", ["name": .string("Room \(index)"), "modules": [.string("mod-b\(index)")],
                                                          "zones": index < inZone ? ["zone-bench"] : []]))
    }
    return Snapshot(commit: nil, files: files)
}

func residentMegabytes() -> Double {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
    return Double(Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) / 1024
}

func waitUntil(_ timeout: Double, _ condition: () -> Bool) -> Bool {
    let deadline = BenchClock.now() + timeout
    while BenchClock.now() < deadline {
        if condition() { return true }
        usleep(2_000)
    }
    return condition()
}

func milliseconds(_ value: Double) -> String { String(format: "%.2f ms", value * 1000) }

let secretDirectory = NSTemporaryDirectory() + "trigger-bench-\(getpid())"
defer { try? FileManager.default.removeItem(atPath: secretDirectory) }
let box = SecretBox(secret: try DeploymentSecret.loadOrCreate(stateDirectory: secretDirectory))
var configuration = RuntimeConfiguration()
configuration.timing.execTimeout = 10
let engine = RuntimeEngine(configuration: configuration, repository: nil, secretBox: box)
var report = BenchReport(name: "trigger-bench")
print("trigger-bench: \(systemCount) systems, \(2 * systemCount) trigger instances, driver \(driver)")

// The building without trigger instances: modules running, statuses known.
engine.apply(building(systems: systemCount, inZone: 0))
guard waitUntil(120, { (0..<systemCount).allSatisfy { engine.moduleState("mod-b\($0)") == .running } }) else {
    print("trigger-bench: the modules did not start"); exit(1)
}
for index in 0..<systemCount {
    engine.status.set(module: "mod-b\(index)", key: "temperature", value: 20)
    engine.status.set(module: "mod-b\(index)", key: "people", value: 3)
}
// The driver writes a stderr line per started module, which the runtime hands to every module of
// the process (5,000 × 5,000 at this size): let that settle before measuring.
sleep(5)
let before = residentMegabytes()

// 4a. Every system joins the zone: 10,000 instances start.
let everyone = building(systems: systemCount, inZone: systemCount)
var start = BenchClock.now()
engine.apply(everyone)
let startSeconds = BenchClock.now() - start
let instances = engine.triggers.instanceIDs.count
usleep(500_000)
let after = residentMegabytes()
report.add("instances bound to live statuses", "\(instances)", "10,000")
report.add("start them (apply)", String(format: "%.0f ms", startSeconds * 1000), "")
report.add("RSS per instance", String(format: "%.2f KB (%.0f → %.0f MB)", (after - before) * 1024 / Double(max(instances, 1)), before, after), "")

// 1. status change → action executed, one at a time.
final class Arrivals: Sendable {
    let times = Mutex<[String: Double]>([:])
}
let arrivals = Arrivals()
var tokens: [Int] = []
let sampled = (0..<min(samples, systemCount)).map { $0 * systemCount / min(samples, systemCount) }
for index in sampled {
    let module = "mod-b\(index)"
    tokens.append(engine.debug(module: module) { module, _, message in
        if message.hasPrefix("exec set_status") { arrivals.times.withLock { $0[module] = BenchClock.now() } }
    })
}
usleep(500_000)
var latencies: [Double] = []
for index in sampled {
    let module = "mod-b\(index)"
    let sent = BenchClock.now()
    engine.status.set(module: module, key: "temperature", value: 35)
    if waitUntil(10, { arrivals.times.withLock { $0[module] } != nil }) {
        latencies.append(arrivals.times.withLock { $0[module]! } - sent)
    }
    engine.status.set(module: module, key: "temperature", value: 20)
}
report.add("status change → action executed, p50", milliseconds(BenchClock.percentile(latencies, 0.5)), "")
report.add("status change → action executed, p99", milliseconds(BenchClock.percentile(latencies, 0.99)), "≤ 10 ms")
report.add("  measured changes", "\(latencies.count) of \(sampled.count)", "")

// … and 1,000 changes published at once (queueing in the engine, the pool and the driver).
arrivals.times.withLock { $0 = [:] }
let burst = Array(sampled.prefix(1000))
var sentAt: [String: Double] = [:]
for index in burst {
    sentAt["mod-b\(index)"] = BenchClock.now()
    engine.status.set(module: "mod-b\(index)", key: "people", value: 0)
}
_ = waitUntil(30) { arrivals.times.withLock { $0.count } == burst.count }
let burstLatencies = arrivals.times.withLock { times in times.compactMap { module, time in sentAt[module].map { time - $0 } } }
if !burstLatencies.isEmpty {
    report.add("\(burst.count) changes at once → actions, p50", milliseconds(BenchClock.percentile(burstLatencies, 0.5)), "")
    report.add("\(burst.count) changes at once → actions, p99", milliseconds(BenchClock.percentile(burstLatencies, 0.99)), "")
}
for token in tokens { engine.stopDebugging(token) }
for index in burst { engine.status.set(module: "mod-b\(index)", key: "people", value: 3) }

// 2. Evaluations per second: publishes that change a compared status without crossing its threshold.
func evaluations(threads: Int) -> Double {
    for index in 0..<systemCount { engine.status.set(module: "mod-b\(index)", key: "temperature", value: 20) }
    let done = Mutex(0)
    let group = DispatchGroup()
    let deadline = BenchClock.now() + seconds
    let begin = BenchClock.now()
    for thread in 0..<threads {
        group.enter()
        Thread {
            var count = 0
            var round = 0
            while BenchClock.now() < deadline {
                round += 1
                for index in stride(from: thread, to: systemCount, by: threads) {
                    engine.status.set(module: "mod-b\(index)", key: "temperature", value: .int(20 + round % 2))
                }
                count += (systemCount + threads - 1 - thread) / threads
            }
            done.withLock { $0 += count }
            group.leave()
        }.start()
    }
    group.wait()
    return Double(done.withLock { $0 }) / (BenchClock.now() - begin)
}
let errorsBefore = engine.triggers.instances(ofTrigger: "trigger-hot").reduce(0) { $0 + $1.comparisonErrors + $1.triggerCount }
report.add("evaluations/s, 1 publishing thread", String(format: "%.0f", evaluations(threads: 1)), "≥ 100,000")
report.add("evaluations/s, 2 publishing threads", String(format: "%.0f", evaluations(threads: 2)), "")
let errorsAfter = engine.triggers.instances(ofTrigger: "trigger-hot").reduce(0) { $0 + $1.comparisonErrors + $1.triggerCount }
report.add("  firings or errors during them", "\(errorsAfter - errorsBefore)", "0")

// 4b. Hot apply: an edit of one trigger restarts its 5,000 instances (counters kept); a room
// joining the zone starts two.
// (Each is a whole apply: the modules' plan of the 5,000-system snapshot is part of it.)
let edited = building(systems: systemCount, inZone: systemCount, threshold: 31)
let allButOne = building(systems: systemCount, inZone: systemCount - 1, threshold: 31)
start = BenchClock.now()
engine.apply(edited)
report.add("apply a trigger edit (\(systemCount) restarts)", String(format: "%.0f ms", (BenchClock.now() - start) * 1000), "")
engine.apply(allButOne)
start = BenchClock.now()
engine.apply(edited)
report.add("apply a room joining the zone (2 starts)", String(format: "%.0f ms", (BenchClock.now() - start) * 1000), "")

await engine.shutdown()
try report.finish()
