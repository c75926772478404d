// config-bench: the configuration store at building-portfolio scale (issue 2's figures).
//
// Builds a synthetic repository of 10,000 systems, 50,000 modules, 2,000 zones and 300
// drivers, then measures snapshot load + validation, one-object write latency, sustained
// writes, revert, history of one object, memory after load, and repository size after
// 10,000 form commits. Prints a table and writes bench/results/config-bench.json.
import BenchSupport
import ConfigRepo
import Foundation

let arguments = CommandLine.arguments
/// `--small` divides the sizes by 10; `--flat` puts every object in its kind's directory.
let portfolio = SyntheticPortfolio(arguments: arguments)
let scale = arguments.contains("--small") ? 10 : 1
/// `--no-pack`: no background packing during the writes (to see what packing costs them).
let noPack = arguments.contains("--no-pack")
/// `--writes N`: how many form commits to make in all (default 10,000).
let commitsTarget = arguments.firstIndex(of: "--writes").flatMap { Int(arguments[$0 + 1]) } ?? 10_000 / scale

func now() -> Double { BenchClock.now() }

/// CPU seconds used by the whole process (all threads), which other load on the machine
/// changes far less than wall time.
func processCPUSeconds() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}

func residentMegabytes() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
          let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
    return kilobytes / 1024
}

func directoryMegabytes(_ path: String) -> Double {
    let enumerator = FileManager.default.enumerator(atPath: path)
    var total = 0
    while let file = enumerator?.nextObject() as? String {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path + "/" + file)
        if attributes?[.type] as? FileAttributeType == .typeRegular { total += (attributes?[.size] as? Int) ?? 0 }
    }
    return Double(total) / 1_048_576
}

let workspace = NSTemporaryDirectory() + "config-bench-\(UUID().uuidString)"
defer { try? FileManager.default.removeItem(atPath: workspace) }
var report = BenchReport(name: "config-bench")

print("config-bench: \(portfolio.summary)")
var start = now()
try portfolio.write(at: workspace + "/source")
let secret = try DeploymentSecret.loadOrCreate(stateDirectory: workspace + "/state")
let store = try ConfigStore.create(at: workspace + "/repo", from: workspace + "/source", message: "Synthetic portfolio")
print(String(format: "  created the repository in %.1f s", now() - start))
// The source tree stays until the end: on ext4, each file created in the minutes after a
// mass delete scans the freed inodes for recently deleted ones (`recently_deleted` in perf),
// so deleting its 62,000 files here charged our own setup to the measured writes.

// Snapshot load + validate, cold (a fresh repository object reads every blob).
// The server's setting: the working tree follows the branch in the background.
let repository = ConfigRepository(store: try ConfigStore(path: workspace + "/repo", packCheckInterval: noPack ? 0 : 8, workingTreeUpdate: .background),
                                  secretBox: SecretBox(secret: secret))
start = now()
let snapshot = try repository.headSnapshot()
let loaded = now() - start
start = now()
let problems = Validator(snapshot: snapshot).validateAll()
let validated = now() - start
precondition(problems.isEmpty, "synthetic tree is invalid: \(problems.prefix(3))")
let rss = residentMegabytes()
report.add("snapshot load (\(Kind.allCases.reduce(0) { $0 + snapshot.count($1) }) objects)", String(format: "%.0f ms", loaded * 1000), "")
report.add("validate whole tree", String(format: "%.0f ms", validated * 1000), "")
report.add("load + validate", String(format: "%.2f s", loaded + validated), "≤ 2 s")
report.add("RSS after load", String(format: "%.0f MB", rss), "≤ 300 MB")

// One-object writes: a form edit of one system's capacity, validated and committed.
let author = Signature(name: "Bench", email: "bench@example.com")
var latencies: [Double] = []
var commits = 0
func editSystem(_ index: Int) throws {
    var system = try repository.headSnapshot().document(.system, "sys-\(index % portfolio.systems)")!
    system["capacity"] = .int(1 + (system.int("capacity") ?? 0) % 50)
    try repository.apply([.save(system)], author: author)
}
for index in 0..<min(1_000, commitsTarget / 2) {
    let begin = now()
    try editSystem(index * 7)
    commits += 1
    latencies.append(now() - begin)
}
report.add("write latency p50", String(format: "%.2f ms", BenchClock.percentile(latencies, 0.5) * 1000), "")
report.add("write latency p99", String(format: "%.2f ms", BenchClock.percentile(latencies, 0.99) * 1000), "≤ 10 ms")

// Sustained writes, until the repository holds 10,000 form commits.
start = now()
let sustainedCPUStart = processCPUSeconds()
let sustainedStart = commits
while commits < commitsTarget {
    try editSystem(commits * 13)
    commits += 1
}
let sustained = Double(commits - sustainedStart) / (now() - start)
report.add("sustained writes", String(format: "%.0f /s", sustained), "≥ 300 /s")
let cpuPerWrite = (processCPUSeconds() - sustainedCPUStart) / Double(max(1, commits - sustainedStart))
report.add("CPU per sustained write (all threads)", String(format: "%.2f ms", cpuPerWrite * 1000), "")

// Revert of a recent commit.
var revertTimes: [Double] = []
for index in 0..<50 {
    var system = try repository.headSnapshot().document(.system, "sys-\(index)")!
    system["description"] = .string("revert me \(index)")
    let made = try repository.apply([.save(system)], author: author)
    let begin = now()
    try repository.revert(made.commit.id, author: author)
    revertTimes.append(now() - begin)
}
report.add("revert latency p50", String(format: "%.2f ms", BenchClock.percentile(revertTimes, 0.5) * 1000), "")

// History of one object after 10,000 commits.
start = now()
let history = try repository.history(of: ObjectRef(.system, "sys-0"))
report.add("history of one object (\(history.count) commits of \(commits + 100))", String(format: "%.0f ms", (now() - start) * 1000), "")

let before = directoryMegabytes(workspace + "/repo/.git")
let packsBefore = repository.store.packCount
_ = try repository.store.packAll()
let after = directoryMegabytes(workspace + "/repo/.git")
report.add(".git size after \(commits) commits", String(format: "%.0f MB (%d packs) → %.0f MB in one pack", before, packsBefore, after), "small")

try report.finish()
