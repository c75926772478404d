// http-bench: measures the web server against nginx with wrk, and WebSocket fan-out with our own client.
//
//   swift build -c release && .build/release/http-bench [--quick]
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

// MARK: nginx with the same file, if installed.

let nginxPort = FreePort.pick()
let nginx = startNginx(prefix: workDirectory, port: nginxPort, staticRoot: workDirectory)

var rows: [(name: String, ours: WrkResult?, nginx: WrkResult?)] = []
let pipeline = workDirectory + "/pipeline.lua"
writeFile(pipeline, """
    init = function(args)
      local r = {}
      for i = 1, 16 do r[i] = wrk.format(nil, wrk.path) end
      req = table.concat(r)
    end
    request = function() return req end
    """)

print("http-bench: wrk -t2 -c64 -d\(wrkSeconds)s on loopback (2 cores shared with wrk)")
if !onlyFanOut {
rows.append(("plaintext keep-alive", runWrk(port: port, path: "/plaintext", seconds: wrkSeconds),
             nginx != nil ? runWrk(port: nginxPort, path: "/plaintext", seconds: wrkSeconds) : nil))
rows.append(("plaintext pipelined x16", runWrk(port: port, path: "/plaintext", script: pipeline, seconds: wrkSeconds),
             nginx != nil ? runWrk(port: nginxPort, path: "/plaintext", script: pipeline, seconds: wrkSeconds) : nil))
rows.append(("static 4 KiB file", runWrk(port: port, path: "/static/file4k.txt", seconds: wrkSeconds),
             nginx != nil ? runWrk(port: nginxPort, path: "/static/file4k.txt", seconds: wrkSeconds) : nil))
}
if let nginx { kill(nginx, SIGTERM); var status: Int32 = 0; waitpid(nginx, &status, 0) }

print("")
print(pad("test", 26) + pad("ours req/s", 14) + pad("p99 ms", 10) + pad("nginx req/s", 14) + pad("p99 ms", 10) + "ours/nginx")
for row in rows {
    let ratio = (row.ours?.requestsPerSecond).flatMap { ours in row.nginx.map { String(format2(ours / $0.requestsPerSecond)) } } ?? "-"
    print(pad(row.name, 26) + pad(row.ours.map { format0($0.requestsPerSecond) } ?? "-", 14)
          + pad(row.ours.map { format2($0.p99Milliseconds) } ?? "-", 10)
          + pad(row.nginx.map { format0($0.requestsPerSecond) } ?? "-", 14)
          + pad(row.nginx.map { format2($0.p99Milliseconds) } ?? "-", 10) + ratio)
}

// MARK: WebSocket fan-out.

let fanOut = runFanOut(port: port, clients: 1000, payloadBytes: 200, broadcastsPerSecond: Int(ProcessInfoLite.value("FANOUT_RATE") ?? "100")!, seconds: fanOutSeconds, hub: hub)
print("")
print("WebSocket fan-out: 1000 clients, 200-byte broadcasts at 100/s for \(fanOutSeconds)s")
print("  delivered \(format0(fanOut.framesPerSecond)) frames/s (expected \(format0(fanOut.expectedPerSecond))), "
      + "latency p50 \(format2(fanOut.p50Milliseconds)) ms, p99 \(format2(fanOut.p99Milliseconds)) ms, lost \(fanOut.lost)")

await server.shutdown(gracePeriod: 1)

// MARK: JSON results.

var json = "{\n  \"machine_cpus\": \(sysconf(Int32(_SC_NPROCESSORS_ONLN))),\n  \"wrk\": {\"threads\": 2, \"connections\": 64, \"seconds\": \(wrkSeconds)},\n  \"http\": [\n"
json += rows.map { row in
    func entry(_ result: WrkResult?) -> String {
        guard let result else { return "null" }
        return "{\"requests_per_second\": \(format0(result.requestsPerSecond)), \"p99_ms\": \(format2(result.p99Milliseconds))}"
    }
    return "    {\"name\": \"\(row.name)\", \"backoffice\": \(entry(row.ours)), \"nginx\": \(entry(row.nginx))}"
}.joined(separator: ",\n")
json += "\n  ],\n  \"websocket_fanout\": {\"clients\": 1000, \"payload_bytes\": 200, \"broadcasts_per_second\": 100, "
json += "\"frames_per_second\": \(format0(fanOut.framesPerSecond)), \"p50_ms\": \(format2(fanOut.p50Milliseconds)), "
json += "\"p99_ms\": \(format2(fanOut.p99Milliseconds)), \"lost\": \(fanOut.lost)}\n}\n"
mkdir("bench", 0o755)
mkdir("bench/results", 0o755)
writeFile("bench/results/http-bench.json", json)
print("\nwrote bench/results/http-bench.json")
removeTree(workDirectory)
