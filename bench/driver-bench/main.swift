// driver-bench: one bundled driver (release build; PJLink unless `DRIVER_BENCH_DRIVER` names
// `modbus-hvac`, `lutron` or `occupancy`) against in-process simulators of its device.
//
// 1. Memory: one driver process hosting 1,000 connected modules; RSS per added module is the
//    growth over the process with one connected module, divided by the 999 added.
// 2. Exec round trip core → driver → simulator → driver → core, one module, sequential calls:
//    p50, p99 and calls per second.
// `DRIVER_BENCH_WRAPPER` runs the driver under a tool (`heaptrack -o FILE`: the heap breakdown
// per module; RSS is then the tool's process, not a figure).
// Prints a table and writes bench/results/driver-bench.json (driver-bench-KIND.json for the
// others). Figures are for this machine only.
import BenchSupport
import DeviceSimulators
import DriverKit
import Foundation
#if canImport(Glibc)
import Glibc
#endif

let moduleCount = Int(ProcessInfo.processInfo.environment["DRIVER_BENCH_MODULES"] ?? "") ?? 1000
let execCount = Int(ProcessInfo.processInfo.environment["DRIVER_BENCH_EXECS"] ?? "") ?? 5000
let kind = BenchedDriver(rawValue: ProcessInfo.processInfo.environment["DRIVER_BENCH_DRIVER"] ?? "pjlink") ?? .pjlink
let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(kind.executable).path

func percentile(_ values: [Double], _ p: Double) -> Double {
    let sorted = values.sorted()
    return sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
}

// MARK: memory with many modules

let simulators = try (0..<kind.simulatorCount).map { _ in try kind.simulator() }
let driver = try DriverPipe(binary: binary, wrapper: ProcessInfo.processInfo.environment["DRIVER_BENCH_WRAPPER"])
_ = driver.next()  // ready
let idleKiB = driver.residentKiB
@MainActor func start(_ i: Int) {
    driver.request(["type": "start", "module": .string("mod-\(i)"), "config": kind.config(module: i, port: simulators[i % simulators.count].port)])
}
/// Modules connected (device drivers: open connections; occupancy: rooms polled at least once).
@MainActor func connectedModules() -> Int {
    kind == .occupancy ? min(moduleCount, simulators.reduce(0) { $0 + $1.stats.requests })
                       : simulators.reduce(0) { $0 + $1.stats.connectionsOpen }
}
@MainActor func waitForConnections(_ count: Int) {
    let deadline = Date().addingTimeInterval(60)
    while connectedModules() < count, Date() < deadline { usleep(50_000) }
    // Long enough for every poll to have run a few times (occupancy polls every 5 s here).
    usleep(kind == .occupancy ? 12_000_000 : 500_000)
}
// The baseline is one connected module, as in runtime-bench: what the first connection or
// request brings in once per process (library pages, the HTTP stack) is not a per-module cost.
start(0)
waitForConnections(1)
let oneModuleKiB = driver.residentKiB
for i in 1..<moduleCount { start(i) }
waitForConnections(moduleCount)
let connected = connectedModules()
let loadedKiB = driver.residentKiB
let perModuleKiB = Double(loadedKiB - oneModuleKiB) / Double(moduleCount - 1)

// MARK: exec round trip

var latencies: [Double] = []
latencies.reserveCapacity(execCount)
let method = kind.execMethod
for _ in 0..<200 { driver.request(["type": "exec", "module": "mod-0", "method": .string(method), "args": []]) }
let started = Date()
var failures = 0
for _ in 0..<execCount {
    let t0 = DispatchTime.now().uptimeNanoseconds
    let reply = driver.request(["type": "exec", "module": "mod-0", "method": .string(method), "args": []])
    latencies.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
    if reply?["ok"] != true { failures += 1 }
}
let elapsed = Date().timeIntervalSince(started)
driver.terminate()
simulators.forEach { $0.stop() }

let p50 = percentile(latencies, 0.5), p99 = percentile(latencies, 0.99)
let rows: [(String, String, String)] = [
    ("modules connected", "\(connected) / \(moduleCount)", ""),
    ("driver RSS idle / with 1 module", String(format: "%.1f / %.1f MB", Double(idleKiB) / 1024, Double(oneModuleKiB) / 1024), ""),
    ("driver RSS with \(moduleCount) modules", String(format: "%.1f MB", Double(loadedKiB) / 1024), ""),
    ("RSS per added module", String(format: "%.1f KiB", perModuleKiB), "≤ 10 KiB"),
    ("exec round trip p50", String(format: "%.3f ms", p50), ""),
    ("exec round trip p99", String(format: "%.3f ms", p99), ""),
    ("sequential execs", String(format: "%.0f /s", Double(execCount) / elapsed), ""),
    ("exec failures", "\(failures)", "0"),
]
print("driver-bench (\(kind.rawValue) driver, release, \(ProcessInfo.processInfo.activeProcessorCount) CPUs)")
var report = BenchReport(name: kind == .pjlink ? "driver-bench" : "driver-bench-\(kind.rawValue)")
for (name, value, target) in rows { report.add(name, value, target) }
let json = """
    {
      "modules": \(moduleCount), "modules_connected": \(connected),
      "rss_idle_kib": \(idleKiB), "rss_one_module_kib": \(oneModuleKiB), "rss_loaded_kib": \(loadedKiB), "rss_per_module_kib": \(String(format: "%.2f", perModuleKiB)),
      "execs": \(execCount), "exec_p50_ms": \(String(format: "%.4f", p50)), "exec_p99_ms": \(String(format: "%.4f", p99)),
      "execs_per_second": \(String(format: "%.0f", Double(execCount) / elapsed)), "exec_failures": \(failures)
    }

    """
report.keepDetails(json: json)
try report.finish(valueWidth: 14)
print("\nwrote bench/results/\(kind == .pjlink ? "driver-bench" : "driver-bench-\(kind.rawValue)").json")
