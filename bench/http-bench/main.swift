// http-bench: measures the web server against nginx with wrk, and WebSocket fan-out with our own client.
//
//   swift build -c release && .build/release/http-bench [--quick] [--rounds N]
//   .build/release/http-bench --cpu [--quick] [--rounds N]   CPU time per request, ours and nginx
//   .build/release/http-bench --serve SECONDS                 serve only (for perf while wrk runs outside)
//
// Prints a table and writes bench/results/http-bench.json. Figures are for this machine only.
import BenchSupport
#if canImport(Glibc)
import Glibc
#endif
import WebServer

let quick = CommandLine.arguments.contains("--quick")
let onlyFanOut = CommandLine.arguments.contains("--fanout-only")
let wrkSeconds = quick ? 3 : 8
let fanOutSeconds = quick ? 3 : 10

// MARK: Fixture: a 4 KiB static file, served by both servers.

let workDirectory = makeTemporaryDirectory()
let staticDirectory = workDirectory + "/static"
mkdir(staticDirectory, 0o755)
writeFile(staticDirectory + "/file4k.txt", String(repeating: "0123456789abcdef", count: 256))

// MARK: Our server, in process.

var router = Router()
router.add(.get, "/plaintext", immediate: { _ in .text("Hello, World!") })
router.mountStatic("/static", directory: staticDirectory)
let hub = FanOutHub()
router.webSocket("/fanout") { socket, _ in
    hub.add(socket)
    for await _ in socket.messages {}
    hub.remove(socket)
}
var limits = Limits()
limits.maxConnections = 20_000
let loopArgument = CommandLine.arguments.firstIndex(of: "--loops").flatMap { Int(CommandLine.arguments[$0 + 1]) }
let server = HTTPServer(configuration: .init(port: 0, loopCount: loopArgument, limits: limits, logger: Logger(level: .warning)),
                        router: router)
let port = try server.start()

// `--serve SECONDS`: only serve (for profiling with perf or callgrind while wrk runs outside).
if let index = CommandLine.arguments.firstIndex(of: "--serve"), let seconds = UInt32(CommandLine.arguments[index + 1]) {
    print("serving on 127.0.0.1:\(port) for \(seconds) s: /plaintext, /static/file4k.txt")
    fflush(nil)   // the port line must reach a pipe before we sleep
    sleep(seconds)
    await server.shutdown(gracePeriod: 1)
    removeTree(workDirectory)
    exit(0)
}

// MARK: nginx with the same file, if installed.

let nginxPort = FreePort.pick()
let nginx = startNginx(prefix: workDirectory, port: nginxPort, staticRoot: workDirectory)

/// One test's rounds: ours and nginx alternating, so both see the same machine state.
struct Row {
    var name: String
    var ours: [WrkResult] = []
    var nginx: [WrkResult] = []

    /// The median round of each side (by requests per second; p99 is the median of the p99s).
    static func median(_ results: [WrkResult]) -> WrkResult? {
        guard !results.isEmpty else { return nil }
        func middle(_ values: [Double]) -> Double {
            let sorted = values.sorted()
            return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        }
        return WrkResult(requestsPerSecond: middle(results.map(\.requestsPerSecond)),
                         p99Milliseconds: middle(results.map(\.p99Milliseconds)))
    }
    /// The median over rounds of the server's CPU time per request, `user+system` in µs.
    static func cpuPerRequest(_ results: [WrkResult]) -> String {
        let rounds = results.filter { $0.requests > 0 }
        guard !rounds.isEmpty else { return "-" }
        func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
        let user = median(rounds.map { $0.serverCPU.user * 1e6 / Double($0.requests) })
        let system = median(rounds.map { $0.serverCPU.system * 1e6 / Double($0.requests) })
        return format2(user) + "+" + format2(system)
    }
    /// The median of the per-round ratios (each round's pair ran back to back).
    var medianRatio: Double? {
        let ratios = zip(ours, nginx).map { $0.requestsPerSecond / $1.requestsPerSecond }.sorted()
        guard !ratios.isEmpty else { return nil }
        return ratios.count % 2 == 1 ? ratios[ratios.count / 2] : (ratios[ratios.count / 2 - 1] + ratios[ratios.count / 2]) / 2
    }
}
/// Made first, so the file records the load average before the rounds and how long they took.
var report = BenchReport(name: "http-bench")
let rounds = CommandLine.arguments.firstIndex(of: "--rounds").flatMap { Int(CommandLine.arguments[$0 + 1]) } ?? (quick ? 1 : 5)
var rows: [Row] = []
let pipeline = workDirectory + "/pipeline.lua"
writeFile(pipeline, """
    init = function(args)
      local r = {}
      for i = 1, 16 do r[i] = wrk.format(nil, wrk.path) end
      req = table.concat(r)
    end
    request = function() return req end
    """)

let tests: [(name: String, path: String, script: String?)] = [
    ("plaintext keep-alive", "/plaintext", nil),
    ("plaintext pipelined x16", "/plaintext", pipeline),
    ("static 4 KiB file", "/static/file4k.txt", nil),
]

// `--cpu`: CPU time per request of both servers and of wrk (see CPUPerRequest.swift), then exit.
if CommandLine.arguments.contains("--cpu") {
    print("http-bench --cpu: wrk -t1 -c16 -d\(wrkSeconds)s, \(rounds) rounds alternating ours / nginx; "
          + "microseconds of CPU per request (server process, and wrk), medians")
    print(pad("test", 22) + pad("server", 8) + pad("user", 8) + pad("system", 8) + pad("total", 8) + pad("wrk u+s", 9) + "req/s")
    let ourPID = getpid()
    for test in tests where test.script == nil {
        var results: [Bool: [CPUPerRequest]] = [true: [], false: []]
        for round in 0..<rounds {
            for ours in round % 2 == 0 ? [true, false] : [false, true] {
                if ours {
                    if let result = measureCPUPerRequest(port: port, path: test.path, seconds: wrkSeconds, pids: { [ourPID] }) {
                        results[true]!.append(result)
                    }
                } else if let nginx, let result = measureCPUPerRequest(port: nginxPort, path: test.path, seconds: wrkSeconds,
                                                                       pids: { childProcesses(of: nginx) }) {
                    results[false]!.append(result)
                }
            }
        }
        for ours in [true, false] {
            let runs = results[ours]!
            guard !runs.isEmpty else { continue }
            func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
            let user = median(runs.map(\.server.user)), system = median(runs.map(\.server.system))
            print(pad(test.name, 22) + pad(ours ? "ours" : "nginx", 8) + pad(format2(user), 8) + pad(format2(system), 8)
                  + pad(format2(median(runs.map { $0.server.user + $0.server.system })), 8)
                  + pad(format2(median(runs.map { $0.wrk.user + $0.wrk.system })), 9) + format0(median(runs.map(\.requestsPerSecond))))
        }
    }
    if let nginx { kill(nginx, SIGTERM); var status: Int32 = 0; waitpid(nginx, &status, 0) }
    await server.shutdown(gracePeriod: 1)
    removeTree(workDirectory)
    exit(0)
}

print("http-bench: wrk -t2 -c64 -d\(wrkSeconds)s on loopback (2 cores shared with wrk), \(rounds) rounds alternating ours / nginx")
if !onlyFanOut {
    for test in tests {
        var row = Row(name: test.name)
        for round in 0..<rounds {
            // Who goes first alternates too, so neither always runs right after the other's load.
            let order = round % 2 == 0 ? [true, false] : [false, true]
            for ours in order {
                if ours {
                    let before = cpuTime(of: [getpid()])
                    if var result = runWrk(port: port, path: test.path, script: test.script, seconds: wrkSeconds) {
                        result.serverCPU = cpuTime(of: [getpid()]) - before
                        row.ours.append(result)
                    }
                } else if nginx != nil {
                    let workers = childProcesses(of: nginx!)
                    let before = cpuTime(of: workers)
                    if var result = runWrk(port: nginxPort, path: test.path, script: test.script, seconds: wrkSeconds) {
                        result.serverCPU = cpuTime(of: workers) - before
                        row.nginx.append(result)
                    }
                }
            }
        }
        rows.append(row)
    }
}
if let nginx { kill(nginx, SIGTERM); var status: Int32 = 0; waitpid(nginx, &status, 0) }

var loadAverage = [Double](repeating: 0, count: 3)
_ = getloadavg(&loadAverage, 3)
print("")
print("medians of \(rounds) rounds; load average \(format2(loadAverage[0])) at the end (other work on the machine counts)")
print(pad("test", 26) + pad("ours req/s", 14) + pad("p99 ms", 10) + pad("nginx req/s", 14) + pad("p99 ms", 10) + pad("ours/nginx", 12)
      + "server CPU µs/req, user+system: ours / nginx")
for row in rows {
    let ours = Row.median(row.ours), theirs = Row.median(row.nginx)
    print(pad(row.name, 26) + pad(ours.map { format0($0.requestsPerSecond) } ?? "-", 14)
          + pad(ours.map { format2($0.p99Milliseconds) } ?? "-", 10)
          + pad(theirs.map { format0($0.requestsPerSecond) } ?? "-", 14)
          + pad(theirs.map { format2($0.p99Milliseconds) } ?? "-", 10) + pad(row.medianRatio.map(format2) ?? "-", 12)
          + Row.cpuPerRequest(row.ours) + " / " + Row.cpuPerRequest(row.nginx))
}

// MARK: WebSocket fan-out.

let fanOut = runFanOut(port: port, clients: 1000, payloadBytes: 200, broadcastsPerSecond: Int(ProcessInfoLite.value("FANOUT_RATE") ?? "100")!, seconds: fanOutSeconds, hub: hub)
print("")
print("WebSocket fan-out: 1000 clients, 200-byte broadcasts at 100/s for \(fanOutSeconds)s")
print("  delivered \(format0(fanOut.framesPerSecond)) frames/s (expected \(format0(fanOut.expectedPerSecond))), "
      + "latency p50 \(format2(fanOut.p50Milliseconds)) ms, p99 \(format2(fanOut.p99Milliseconds)) ms, lost \(fanOut.lost)")

await server.shutdown(gracePeriod: 1)

// MARK: JSON results.

var json = "{\n  \"machine_cpus\": \(sysconf(Int32(_SC_NPROCESSORS_ONLN))), \"load_average\": \(format2(loadAverage[0])),\n"
json += "  \"wrk\": {\"threads\": 2, \"connections\": 64, \"seconds\": \(wrkSeconds), \"rounds\": \(rounds)},\n  \"http\": [\n"
json += rows.map { row in
    func entry(_ result: WrkResult?) -> String {
        guard let result else { return "null" }
        return "{\"requests_per_second\": \(format0(result.requestsPerSecond)), \"p99_ms\": \(format2(result.p99Milliseconds))}"
    }
    func all(_ results: [WrkResult]) -> String { "[" + results.map { entry($0) }.joined(separator: ", ") + "]" }
    return "    {\"name\": \"\(row.name)\", \"backoffice\": \(entry(Row.median(row.ours))), \"nginx\": \(entry(Row.median(row.nginx))), "
        + "\"ratio\": \(row.medianRatio.map(format2) ?? "null"), "
        + "\"cpu_us_per_request_user_plus_system\": {\"backoffice\": \"\(Row.cpuPerRequest(row.ours))\", \"nginx\": \"\(Row.cpuPerRequest(row.nginx))\"}, \"backoffice_rounds\": \(all(row.ours)), \"nginx_rounds\": \(all(row.nginx))}"
}.joined(separator: ",\n")
json += "\n  ],\n  \"websocket_fanout\": {\"clients\": 1000, \"payload_bytes\": 200, \"broadcasts_per_second\": 100, "
json += "\"frames_per_second\": \(format0(fanOut.framesPerSecond)), \"p50_ms\": \(format2(fanOut.p50Milliseconds)), "
json += "\"p99_ms\": \(format2(fanOut.p99Milliseconds)), \"lost\": \(fanOut.lost)}\n}\n"
mkdir("bench", 0o755)
mkdir("bench/results", 0o755)
for row in rows {
    let ours = Row.median(row.ours), theirs = Row.median(row.nginx)
    report.add(row.name + ", req/s", ours.map { format0($0.requestsPerSecond) } ?? "-", "",
               peer: theirs.map { "nginx " + format0($0.requestsPerSecond) }, ratio: row.medianRatio)
    if let ours, let theirs {
        // Lower is better: the ratio is nginx's p99 over ours.
        report.add(row.name + ", p99", format2(ours.p99Milliseconds) + " ms", "",
                   peer: "nginx " + format2(theirs.p99Milliseconds) + " ms", ratio: theirs.p99Milliseconds / ours.p99Milliseconds)
    }
}
report.add("WebSocket fan-out, 1000 clients", format0(fanOut.framesPerSecond) + " frames/s (offered " + format0(fanOut.expectedPerSecond) + ")")
report.keepDetails(json: json)
try report.finish()
print("\nwrote bench/results/http-bench.json")
removeTree(workDirectory)
