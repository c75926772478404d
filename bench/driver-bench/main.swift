// driver-bench: the bundled PJLink driver (release build) against in-process PJLink simulators.
//
// 1. Memory: one driver process hosting 1,000 connected modules; RSS per module is the growth
//    over the idle process divided by the module count.
// 2. Exec round trip core → driver → simulator → driver → core, one module, sequential calls:
//    p50, p99 and calls per second.
// Prints a table and writes bench/results/driver-bench.json. Figures are for this machine only.
import BenchSupport
import DeviceSimulators
import DriverKit
import Foundation
#if canImport(Glibc)
import Glibc
#endif

let moduleCount = Int(ProcessInfo.processInfo.environment["DRIVER_BENCH_MODULES"] ?? "") ?? 1000
let execCount = Int(ProcessInfo.processInfo.environment["DRIVER_BENCH_EXECS"] ?? "") ?? 5000
let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("driver-pjlink").path

func percentile(_ values: [Double], _ p: Double) -> Double {
    let sorted = values.sorted()
    return sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
}

// MARK: memory with many modules

let simulators = try (0..<10).map { _ in try PJLinkSimulator(port: 0, password: "harbourpoint") }
let driver = try DriverPipe(binary: binary)
_ = driver.next()  // ready
let idleKiB = driver.residentKiB
for i in 0..<moduleCount {
    let port = simulators[i % simulators.count].port
    driver.request(["type": "start", "module": .string("mod-\(i)"), "config": [
        "ip": "127.0.0.1", "port": .number(Double(port)), "settings": ["password": "harbourpoint", "poll_every_seconds": 60],
    ]])
}
let deadline = Date().addingTimeInterval(60)
while simulators.reduce(0, { $0 + $1.stats.connectionsOpen }) < moduleCount, Date() < deadline { usleep(50_000) }
usleep(500_000)
let connected = simulators.reduce(0) { $0 + $1.stats.connectionsOpen }
let loadedKiB = driver.residentKiB
let perModuleKiB = Double(loadedKiB - idleKiB) / Double(moduleCount)

// MARK: exec round trip

var latencies: [Double] = []
latencies.reserveCapacity(execCount)
for _ in 0..<200 { driver.request(["type": "exec", "module": "mod-0", "method": "name", "args": []]) }
let started = Date()
var failures = 0
for _ in 0..<execCount {
    let t0 = DispatchTime.now().uptimeNanoseconds
    let reply = driver.request(["type": "exec", "module": "mod-0", "method": "name", "args": []])
    latencies.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
    if reply?["ok"] != true { failures += 1 }
}
let elapsed = Date().timeIntervalSince(started)
driver.terminate()
simulators.forEach { $0.stop() }

let p50 = percentile(latencies, 0.5), p99 = percentile(latencies, 0.99)
let rows: [(String, String, String)] = [
    ("modules connected", "\(connected) / \(moduleCount)", ""),
    ("driver RSS idle", "\(idleKiB / 1024) MB", ""),
    ("driver RSS with \(moduleCount) modules", String(format: "%.1f MB", Double(loadedKiB) / 1024), ""),
    ("RSS per module", String(format: "%.1f KB", perModuleKiB), "≤ 30 KB"),
    ("exec round trip p50", String(format: "%.3f ms", p50), ""),
    ("exec round trip p99", String(format: "%.3f ms", p99), ""),
    ("sequential execs", String(format: "%.0f /s", Double(execCount) / elapsed), ""),
    ("exec failures", "\(failures)", "0"),
]
print("driver-bench (PJLink driver, release, \(ProcessInfo.processInfo.activeProcessorCount) CPUs)")
var report = BenchReport(name: "driver-bench")
for (name, value, target) in rows { report.add(name, value, target) }
let json = """
    {
      "modules": \(moduleCount), "modules_connected": \(connected),
      "rss_idle_kib": \(idleKiB), "rss_loaded_kib": \(loadedKiB), "rss_per_module_kib": \(String(format: "%.2f", perModuleKiB)),
      "execs": \(execCount), "exec_p50_ms": \(String(format: "%.4f", p50)), "exec_p99_ms": \(String(format: "%.4f", p99)),
      "execs_per_second": \(String(format: "%.0f", Double(execCount) / elapsed)), "exec_failures": \(failures)
    }

    """
report.keepDetails(json: json)
try report.finish(valueWidth: 14)
print("\nwrote bench/results/driver-bench.json")
