// gitops-bench: following an upstream and reviewing (issue 16), timed against the release
// `backoffice` on loopback with a real git host (nginx + fcgiwrap + git http-backend, as the
// e2e tests have it; Debian nginx-light and fcgiwrap).
//
// 1. webhook received → change live: an engineer's commit is pushed to the host (not timed),
//    then the clock runs from the signed GitHub webhook's POST until the deployment serves the
//    new value (`GET /api/engine/v2/systems/…`): fetch, gate, fast-forward, new snapshot.
// 2. save → visible on the upstream: from a REST `PATCH` of a system (the write path forms use:
//    validation, one commit) until the host's `main` holds the deployment's new commit.
// 3. `backoffice diff HEAD~1 HEAD --format json` over 1,000 changed systems, the whole process.
//
// Run from the checkout: `.build/release/gitops-bench` (`--small`: fewer rounds). Prints a table
// and writes bench/results/gitops-bench.json.
import BenchSupport
import ConfigRepo
import Crypto
import Foundation

let binary = ((CommandLine.arguments[0] as NSString).deletingLastPathComponent as NSString).appendingPathComponent("backoffice")
let rounds = CommandLine.arguments.contains("--small") ? 10 : 40
let warmup = 3
let webhookSecret = "gitops-bench-secret"
let workspace = NSTemporaryDirectory() + "gitops-bench-\(UUID().uuidString)"
let gitEnvironment = ProcessInfo.processInfo.environment.merging([
    "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_AUTHOR_NAME": "Erin Engineer",
    "GIT_AUTHOR_EMAIL": "erin@example.com", "GIT_COMMITTER_NAME": "Erin Engineer", "GIT_COMMITTER_EMAIL": "erin@example.com",
]) { _, ours in ours }

func git(_ arguments: String...) throws { try run("/usr/bin/git", arguments, environment: gitEnvironment) }
func ms(_ seconds: Double) -> String { String(format: "%.1f ms", seconds * 1000) }
func quantiles(_ samples: [Double]) -> String {
    "p50 \(ms(BenchClock.percentile(samples, 0.5))), p99 \(ms(BenchClock.percentile(samples, 0.99))) (n=\(samples.count))"
}

/// Waits until `done` holds, polling every half millisecond; the seconds waited.
func waitUntil(_ what: String, timeout: Double = 30, _ done: () throws -> Bool) throws {
    let deadline = BenchClock.now() + timeout
    while try !done() {
        guard BenchClock.now() < deadline else { throw BenchFailure("timed out waiting for \(what)") }
        usleep(500)
    }
}

/// Sets `"capacity": N` in a system file as the canonical writer lays it out.
func setCapacity(_ path: String, _ value: Int) throws {
    let text = try String(contentsOfFile: path, encoding: .utf8)
    let edited = text.replacingOccurrences(of: #""capacity": [0-9]+"#, with: "\"capacity\": \(value)", options: .regularExpression)
    try edited.write(toFile: path, atomically: true, encoding: .utf8)
}

/// `backoffice serve` following the host's repository; stopped by `stop()`.
final class Deployment {
    let state = workspace + "/state"
    var repo: String { state + "/config" }
    let port = FreePort.pick()
    let process = Process()
    var http: LoopbackHTTP { LoopbackHTTP(port: port) }

    func start(upstream: String, host: LocalGitHost) throws {
        try run(binary, ["init", repo, "--state", state])
        try git("-C", repo, "push", "-q", host.urlWithCredentials("config"), "main:refs/heads/main")
        let credentials = "{\"username\": \"\(host.username)\", \"password\": \"\(host.password)\", \"webhook_secret\": \"\(webhookSecret)\"}"
        FileManager.default.createFile(atPath: state + "/upstream.json", contents: Data(credentials.utf8), attributes: [.posixPermissions: 0o600])
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["serve", "--state", state, "--port", String(port), "--auth", "off", "--no-simulators",
                             "--upstream", upstream, "--upstream-poll", "0", "--log-level", "warning"]
        FileManager.default.createFile(atPath: workspace + "/serve.log", contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: workspace + "/serve.log"))
        process.standardOutput = log
        process.standardError = log
        try process.run()
        try waitUntil("the server to start", timeout: 60) {
            guard process.isRunning else { throw BenchFailure("serve exited: " + ((try? String(contentsOfFile: workspace + "/serve.log", encoding: .utf8)) ?? "")) }
            return (try? http.request("GET", "/healthz", headers: [:], body: []).status) == 200
        }
        try waitUntil("the first fetch") {
            (try http.request("GET", "/api/engine/v2/upstream", headers: [:], body: []).json?["last_fetch"] as? String) != nil
        }
    }

    func capacity(_ system: String) throws -> Int? {
        try http.request("GET", "/api/engine/v2/systems/\(system)", headers: [:], body: []).json?["capacity"] as? Int
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }
}

/// A signed GitHub push webhook; retried after `Retry-After` when rate-limited (not timed then).
func webhook(_ deployment: Deployment) throws -> Int {
    let body = Array(#"{"ref": "refs/heads/main"}"#.utf8)
    let signature = "sha256=" + Hex.encode(HMAC.code(.sha256, key: Array(webhookSecret.utf8), message: body))
    return try deployment.http.request("POST", "/api/engine/v2/upstream/webhook", headers: [
        "Content-Type": "application/json", "X-GitHub-Event": "push", "X-GitHub-Delivery": UUID().uuidString,
        "X-Hub-Signature-256": signature,
    ], body: body).status
}

func measureFollowing(_ report: inout BenchReport) throws {
    let host = try LocalGitHost()
    let deployment = Deployment()
    defer {
        deployment.stop()
        host.stop()
    }
    let url = try host.create("config")
    try deployment.start(upstream: url, host: host)
    let work = workspace + "/work"
    try git("clone", "-q", host.urlWithCredentials("config"), work)

    // 1. Webhook received → change live.
    var live: [Double] = []
    for round in 0..<(warmup + rounds) {
        let value = 100 + round
        try setCapacity(work + "/systems/sys-l2-ferry.json", value)
        try git("-C", work, "commit", "-qam", "ferry: capacity \(value)")
        try git("-C", work, "push", "-q", "origin", "HEAD:main")
        var started = BenchClock.now()
        var status = try webhook(deployment)
        while status == 429 {
            sleep(1)
            started = BenchClock.now()
            status = try webhook(deployment)
        }
        guard status == 202 else { throw BenchFailure("the webhook was answered \(status)") }
        try waitUntil("capacity \(value) live") { try deployment.capacity("sys-l2-ferry") == value }
        if round >= warmup { live.append(BenchClock.now() - started) }
    }
    let p99 = BenchClock.percentile(live, 0.99)
    report.add("webhook received → change live", quantiles(live), "p99 ≤ 200 ms" + (p99 <= 0.2 ? " ✓" : " ✗"))

    // 2. Save → visible on the upstream.
    var pushed: [Double] = []
    for round in 0..<(warmup + rounds) {
        let before = host.head("config")
        let body = Array("{\"capacity\": \(20 + round)}".utf8)
        let started = BenchClock.now()
        let answer = try deployment.http.request("PATCH", "/api/engine/v2/systems/sys-l1-huddle",
                                                 headers: ["Content-Type": "application/json"], body: body)
        guard answer.status == 200 else { throw BenchFailure("PATCH answered \(answer.status): \(answer.text)") }
        try waitUntil("the save on the upstream") { host.head("config") != before }
        if round >= warmup { pushed.append(BenchClock.now() - started) }
    }
    let upstreamFile = try run("/usr/bin/git", ["-C", host.path("config"), "show", "main:systems/sys-l1-huddle.json"])
    guard upstreamFile.contains("\"capacity\": \(20 + warmup + rounds - 1)") else { throw BenchFailure("the last save is not upstream") }
    report.add("save (REST PATCH) → visible on the upstream", quantiles(pushed))
}

func measureDiff(_ report: inout BenchReport) throws {
    let repo = workspace + "/diff/config", state = workspace + "/diff/state"
    try run(binary, ["init", repo, "--state", state])
    let store = try ConfigStore(path: repo)
    let author = Signature(name: "Bench", email: "bench@example.com")
    func rooms(capacity: Int) -> [FileChange] {
        (0..<1000).map { index in
            let room: JSONValue = .object([
                "name": .string("Bench Room \(index)"), "capacity": .int(capacity),
                "zones": .array(["zone-harbourpoint", "zone-hp-tower", "zone-hp-l2"].map(JSONValue.string)),
            ])
            return FileChange(path: "systems/sys-bench-\(index).json", content: Array(JSONWriter.canonicalString(room).utf8))
        }
    }
    _ = try store.commit(rooms(capacity: 4), author: author, message: "add 1,000 rooms")
    _ = try store.commit(rooms(capacity: 6), author: author, message: "every room seats 6")
    var seconds: [Double] = []
    var cpu: [Double] = []
    for round in 0..<6 {
        let started = BenchClock.now()
        let cpuBefore = childrenCPU()
        let output = try run(binary, ["diff", "HEAD~1", "HEAD", "--repo", repo, "--state", state, "--format", "json"])
        let elapsed = BenchClock.now() - started
        if round > 0 { cpu.append(childrenCPU() - cpuBefore) }
        let changes = ((try? JSONSerialization.jsonObject(with: Data(output.utf8))) as? [String: Any])?["changes"] as? [Any]
        guard changes?.count == 1000 else { throw BenchFailure("diff listed \(changes?.count ?? -1) changes, not 1,000") }
        if round > 0 { seconds.append(elapsed) }
    }
    let worst = seconds.max() ?? 0
    report.add("backoffice diff, 1,000 changed systems (process)",
               String(format: "p50 %.2f s, max %.2f s (n=%d)", BenchClock.percentile(seconds, 0.5), worst, seconds.count),
               "≤ 1 s" + (worst <= 1 ? " ✓" : " ✗"))
    report.add("  its CPU time (user + system)", String(format: "p50 %.2f s, max %.2f s", BenchClock.percentile(cpu, 0.5), cpu.max() ?? 0))
}

/// User + system CPU seconds of every child process that has ended so far.
func childrenCPU() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_CHILDREN.rawValue, &usage)
    func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

var report = BenchReport(name: "gitops-bench")
print("gitops-bench: \(rounds) rounds each (+\(warmup) warm-up), loopback git host (nginx + git http-backend)")
do {
    try FileManager.default.createDirectory(atPath: workspace, withIntermediateDirectories: true)
    try measureFollowing(&report)
    try measureDiff(&report)
    try? FileManager.default.removeItem(atPath: workspace)
    try report.finish()
} catch {
    FileHandle.standardError.write(Data("gitops-bench: \(error) (files kept in \(workspace))\n".utf8))
    exit(1)
}
