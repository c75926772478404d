// auth-bench: what authentication costs per request.
//
//   swift build -c release && .build/release/auth-bench [--quick]
//
// 1. In process: JWT (RS256) verification, API-key hash check, and the whole credential check
//    (`AuthService.authenticate`) for a bearer token, an API key and a session, in µs.
// 2. Over loopback with wrk: a small REST state read with the access gate on (bearer token,
//    API key) versus off, and the overhead ratio.
//
// Prints a table and writes bench/results/auth-bench.json. Figures are for this machine only.
#if canImport(Glibc)
#endif
import Auth
import BenchSupport
import ConfigRepo
import Foundation
import Glibc
import WebServer

let quick = CommandLine.arguments.contains("--quick")
let iterations = quick ? 2_000 : 20_000
let wrkSeconds = quick ? 3 : 6

// MARK: Fixture: one domain, one admin user, one API key, a session and a token.

let state = NSTemporaryDirectory() + "auth-bench-\(getpid())"
try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: state) }
let (keySecret, keyHash) = APIKeySecret.make(id: "key-bench")
let files: [String: JSONValue] = [
    "domains/authority-bench.json": ["name": "Bench", "domain": "127.0.0.1"],
    "users/user-bench.json": ["name": "Bench", "email": "bench@example.com", "authority_id": "authority-bench", "sys_admin": true],
    "api-keys/key-bench.json": ["name": "bench", "user_id": "user-bench", "scopes": ["systems.read"], "secret_hash": .string(keyHash)],
]
var blob = 0
let snapshot = Snapshot(commit: nil, files: files.map { path, value in
    blob += 1
    let hex = String(blob, radix: 16)
    return RepoFile(path: path, blob: ObjectID(hex: String(repeating: "0", count: 40 - hex.count) + hex)!, bytes: JSONWriter.canonicalBytes(value))
})
var policy = AccessPolicy.standard
let statePattern = "/api/engine/v2/systems/:id/state"
policy.set(.get, statePattern, .signedIn(scope: "systems.read"))
let service = try AuthService(stateDirectory: state, repository: nil, directory: DirectoryCache(snapshot: snapshot), policy: policy,
                              logger: Logger(level: .error))
let now = Int(time(nil))
let token = service.jwt.sign(AccessTokenClaims(issuedAt: now, expiresAt: now + 7200, audience: "127.0.0.1", subject: "user-bench",
                                               scopes: ["systems.read"], name: "Bench", email: "bench@example.com", role: .admin))
let apiKey = "key-bench." + keySecret
let session = service.sessions.create(userID: "user-bench", domainID: "authority-bench", now: now)

func microseconds(_ count: Int, _ body: () -> Void) -> (mean: Double, p50: Double, p99: Double) {
    for _ in 0..<min(200, count) { body() }
    var samples: [Double] = []
    samples.reserveCapacity(count)
    for _ in 0..<count {
        var start = timespec(), end = timespec()
        clock_gettime(CLOCK_MONOTONIC, &start)
        body()
        clock_gettime(CLOCK_MONOTONIC, &end)
        samples.append(Double(end.tv_sec - start.tv_sec) * 1e6 + Double(end.tv_nsec - start.tv_nsec) / 1e3)
    }
    samples.sort()
    return (samples.reduce(0, +) / Double(count), samples[count / 2], samples[count * 99 / 100])
}

func request(_ headers: [(String, String)]) -> Request {
    var fields = HTTPHeaders()
    fields.add("host", "127.0.0.1:8080")
    for (name, value) in headers { fields.add(name, value) }
    return try! Request(method: .get, target: "/api/engine/v2/systems/sys-1/state", headers: fields)
}

print("auth-bench: \(iterations) iterations each, in process (µs per call)")
var micro: [(String, (mean: Double, p50: Double, p99: Double))] = []
let key = service.jwt
micro.append(("JWT RS256 verify", microseconds(iterations) { _ = try? key.verify(token, audience: "127.0.0.1", now: now) }))
micro.append(("API-key hash check", microseconds(iterations) { _ = APIKeySecret.matches(secret: keySecret, id: "key-bench", storedHash: keyHash) }))
let bearerRequest = request([("authorization", "Bearer " + token)])
let keyRequest = request([("x-api-key", apiKey)])
let sessionRequest = request([("cookie", "bo_session=" + session.id)])
micro.append(("authenticate: bearer JWT", microseconds(iterations) { _ = service.authenticate(bearerRequest) }))
micro.append(("authenticate: X-API-Key", microseconds(iterations) { _ = service.authenticate(keyRequest) }))
micro.append(("authenticate: session cookie", microseconds(iterations) { _ = service.authenticate(sessionRequest) }))
print("| what | mean µs | p50 µs | p99 µs |")
print("|---|---:|---:|---:|")
for (name, figures) in micro {
    print("| \(name) | \(String(format: "%.1f", figures.mean)) | \(String(format: "%.1f", figures.p50)) | \(String(format: "%.1f", figures.p99)) |")
}

// MARK: Over loopback: the same state read with the gate off and on.

func makeRouter(gated: Bool) -> Router {
    var router = Router()
    router.add(.get, statePattern, immediate: { request in
        .json("{\"power\":true,\"input\":\"hdmi\",\"volume\":42,\"system\":\"\(request.parameter("id") ?? "")\"}")
    })
    if gated { service.install(on: &router) }
    return router
}

struct WrkFigure { var requestsPerSecond: Double }

func runWrk(port: Int, header: String?) -> WrkFigure? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/wrk")
    var arguments = ["-t2", "-c32", "-d\(wrkSeconds)s"]
    if let header { arguments += ["-H", header] }
    process.arguments = arguments + ["http://127.0.0.1:\(port)/api/engine/v2/systems/sys-1/state"]
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return nil }
    let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    guard output.contains("Non-2xx") == false,
          let line = output.split(separator: "\n").first(where: { $0.hasPrefix("Requests/sec:") }),
          let value = Double(line.split(separator: " ").last ?? "") else { return nil }
    return WrkFigure(requestsPerSecond: value)
}

var throughput: [(String, WrkFigure?)] = []
if FileManager.default.isExecutableFile(atPath: "/usr/bin/wrk") {
    // The same bearer header is sent with auth off, so both sides parse the same bytes. The
    // modes alternate for `rounds` rounds and the best round of each counts (the machine is shared).
    let rounds = quick ? 1 : 3
    let modes: [(String, Bool, String)] = [("auth off", false, "Authorization: Bearer " + token),
                                           ("auth on, bearer JWT", true, "Authorization: Bearer " + token),
                                           ("auth on, X-API-Key", true, "X-API-Key: " + apiKey)]
    var best: [String: Double] = [:]
    for _ in 0..<rounds {
        for (name, gated, header) in modes {
            let server = HTTPServer(configuration: .init(port: 0, logger: Logger(level: .error)), router: makeRouter(gated: gated))
            let port = try server.start()
            if let figure = runWrk(port: port, header: header) { best[name] = max(best[name] ?? 0, figure.requestsPerSecond) }
            await server.shutdown(gracePeriod: 1)
        }
    }
    throughput = modes.map { ($0.0, best[$0.0].map(WrkFigure.init(requestsPerSecond:))) }
    print("\nREST state read over loopback: wrk -t2 -c32 -d\(wrkSeconds)s, best of \(rounds) alternating rounds (2 cores shared with wrk)")
    print("| mode | requests/s | vs auth off |")
    print("|---|---:|---:|")
    let base = throughput.first?.1?.requestsPerSecond
    for (name, figure) in throughput {
        guard let figure else { print("| \(name) | failed | |"); continue }
        let ratio = base.map { String(format: "%.1f%% overhead", (1 - figure.requestsPerSecond / $0) * 100) } ?? ""
        print("| \(name) | \(Int(figure.requestsPerSecond)) | \(name == "auth off" ? "—" : ratio) |")
    }
} else {
    print("\n(wrk not installed: throughput comparison skipped)")
}

// MARK: JSON for bench/results.

var json: [String: JSONValue] = ["iterations": .int(iterations)]
for (name, figures) in micro {
    json[name] = ["mean_us": .double(figures.mean), "p50_us": .double(figures.p50), "p99_us": .double(figures.p99)]
}
for (name, figure) in throughput {
    json["throughput " + name] = figure.map { .double($0.requestsPerSecond) } ?? .null
}
var report = BenchReport(name: "auth-bench")
for (name, figures) in micro {
    report.add(name, String(format: "%.2f µs mean, p99 %.2f µs", figures.mean, figures.p99))
}
let authOff = throughput.first?.1?.requestsPerSecond
for (name, figure) in throughput {
    // The peer here is the same server with auth off: the ratio is what the check costs.
    report.add("REST state read, \(name)", figure.map { String(format: "%.0f req/s", $0.requestsPerSecond) } ?? "failed", "",
               peer: name == "auth off" ? nil : "auth off", ratio: name == "auth off" ? nil : figure.flatMap { f in authOff.map { f.requestsPerSecond / $0 } })
}
report.details = json
try report.finish()
