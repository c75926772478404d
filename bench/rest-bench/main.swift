// rest-bench: the configuration REST API at building-portfolio scale (issue 12's figures).
//
// Builds the synthetic portfolio (10,000 systems, 50,000 modules, 2,000 zones, 300 drivers; `--small`
// divides by 10) as a real repository, mounts the REST API behind the real access gate (a bearer
// JWT of an admin), and measures through the router exactly as the server answers (the request
// pipeline, the gate, the handlers on BlockingWorkers):
// an index search `GET systems?q=…&limit=100` p50/p99, `GET modules?control_system_id=` p99,
// creates and updates (each one commit) p50/p99 and commits/s, and, when wrk is installed,
// `GET systems/:id` requests/s over loopback. Prints a table and writes bench/results/rest-bench.json.
import Auth
import BackOfficeApp
import BenchSupport
import ConfigRepo
import Foundation
import WebServer

let portfolio = SyntheticPortfolio()
let quick = CommandLine.arguments.contains("--small")
func now() -> Double { BenchClock.now() }
func ms(_ seconds: Double) -> String { String(format: "%.2f ms", seconds * 1000) }

let workspace = NSTemporaryDirectory() + "rest-bench-\(UUID().uuidString)"
defer { try? FileManager.default.removeItem(atPath: workspace) }
var report = BenchReport(name: "rest-bench")
print("rest-bench: \(portfolio.summary)")

var start = now()
let secret = try DeploymentSecret.loadOrCreate(stateDirectory: workspace + "/state")
try portfolio.write(at: workspace + "/source")
_ = try ConfigStore.create(at: workspace + "/repo", from: workspace + "/source", message: "Synthetic portfolio")
try? FileManager.default.removeItem(atPath: workspace + "/source")
let repository = ConfigRepository(store: try ConfigStore(path: workspace + "/repo", workingTreeUpdate: .background),
                                  secretBox: SecretBox(secret: secret))
let author = Signature(name: "Bench", email: "bench@bench.example")
try repository.apply([.save(ConfigDocument(ref: ObjectRef(.user, "user-bench"), members: [
    "name": "Bench", "email": "bench@bench.example", "authority_id": "authority-bench", "sys_admin": true,
]))], author: author)
repository.store.waitForWorkingTree()
print(String(format: "  created the repository in %.1f s", now() - start))

// The gate: the real AuthService over the repository's users, a bearer JWT for the admin.
let service = try AuthService(stateDirectory: workspace + "/state", repository: nil,
                              directory: DirectoryCache(snapshot: try repository.headSnapshot()), policy: .standard,
                              logger: Logger(level: .error))
let issued = Int(time(nil))
let token = service.jwt.sign(AccessTokenClaims(issuedAt: issued, expiresAt: issued + 7200, audience: "localhost", subject: "user-bench",
                                               scopes: ["public"], name: "Bench", email: "bench@bench.example", role: .admin))
var router = Router()
RESTAPI(repository: repository, engine: nil).mount(on: &router)
service.install(on: &router)
let server = router

func request(_ method: HTTPMethod, _ target: String, _ body: String = "") -> Request {
    var headers = HTTPHeaders()
    headers.add("host", "localhost")
    headers.add("authorization", "Bearer " + token)
    return try! Request(method: method, target: target, headers: headers, body: Array(body.utf8))
}

/// Seconds per call of `count` calls of `make(i)`, after a warm-up; checks every status.
func timed(_ count: Int, expecting status: Int, _ make: (Int) -> Request) async -> [Double] {
    var samples: [Double] = []
    for i in 0..<count {
        let call = make(i)
        let began = now()
        let response = await server.respond(to: call)
        samples.append(now() - began)
        if response.status.code != status {
            print("  unexpected \(response.status.code) for \(call.method) \(call.target): \(String(decoding: response.body.prefix(200), as: UTF8.self))")
            exit(1)
        }
    }
    return samples
}

let base = "/api/engine/v2"
let rounds = quick ? 100 : 300
// Warm the snapshot and the timeline (a first request builds the timeline from history).
start = now()
_ = await timed(1, expecting: 200) { _ in request(.get, base + "/systems?limit=1") }
report.add("first request (timeline built from history)", ms(now() - start))

let words = ["Room 12", "Room 4", "Room 99", "room 7", "Room 1"]
let index = await timed(rounds, expecting: 200) { i in request(.get, base + "/systems?q=" + words[i % words.count].replacingOccurrences(of: " ", with: "%20") + "&limit=100") }
report.add("GET systems?q=…&limit=100 p50", ms(BenchClock.percentile(index, 0.5)))
report.add("GET systems?q=…&limit=100 p99", ms(BenchClock.percentile(index, 0.99)), "≤ 20 ms")
let byRoom = await timed(rounds, expecting: 200) { i in request(.get, base + "/modules?control_system_id=sys-\((i * 37) % portfolio.systems)") }
report.add("GET modules?control_system_id= p50", ms(BenchClock.percentile(byRoom, 0.5)))
report.add("GET modules?control_system_id= p99", ms(BenchClock.percentile(byRoom, 0.99)))
let shows = await timed(rounds * 10, expecting: 200) { i in request(.get, base + "/systems/sys-\((i * 7919) % portfolio.systems)") }
report.add("GET systems/:id in process p50", ms(BenchClock.percentile(shows, 0.5)))

// Writes: each one commit through the validated path.
let writes = quick ? 100 : 200
start = now()
let creates = await timed(writes, expecting: 201) { i in
    request(.post, base + "/systems", #"{"name": "Bench room \#(i)", "capacity": 4, "zones": ["zone-org"]}"#)
}
let createSeconds = now() - start
start = now()
let updates = await timed(writes, expecting: 200) { i in
    request(.patch, base + "/systems/sys-\((i * 31) % portfolio.systems)", #"{"capacity": \#(100 + i)}"#)
}
let updateSeconds = now() - start
report.add("POST systems (create) p50", ms(BenchClock.percentile(creates, 0.5)))
report.add("POST systems (create) p99", ms(BenchClock.percentile(creates, 0.99)), "≤ 15 ms")
report.add("PATCH systems/:id (update) p50", ms(BenchClock.percentile(updates, 0.5)))
report.add("PATCH systems/:id (update) p99", ms(BenchClock.percentile(updates, 0.99)), "≤ 15 ms")
report.add("commits/s, one writer (creates, updates)",
           String(format: "%.0f, %.0f", Double(writes) / createSeconds, Double(writes) / updateSeconds))

// Over loopback with wrk: GET systems/:id with the bearer token.
if FileManager.default.isExecutableFile(atPath: "/usr/bin/wrk") {
    let http = HTTPServer(configuration: .init(port: 0, logger: Logger(level: .error)), router: router)
    let port = try http.start()
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/wrk")
    process.arguments = ["-t2", "-c32", "-d\(quick ? 3 : 6)s", "-H", "Authorization: Bearer " + token, "-H", "Host: localhost",
                         "http://127.0.0.1:\(port)\(base)/systems/sys-42"]
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    try process.run()
    let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    let line = output.split(separator: "\n").first { $0.hasPrefix("Requests/sec:") }
    let rate = line.flatMap { Double($0.split(separator: " ").last ?? "") } ?? 0
    let failed = output.contains("Non-2xx")
    report.add("GET systems/:id with auth, wrk -t2 -c32", failed ? "non-2xx answers" : String(format: "%.0f req/s", rate), "≥ 15,000 req/s")
    await http.shutdown(gracePeriod: 1)
} else {
    report.add("GET systems/:id with auth, wrk", "wrk not installed", "≥ 15,000 req/s")
}
try report.finish()
