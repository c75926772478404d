// config-bench: the configuration store at building-portfolio scale (issues 2 and 19).
//
// Builds a synthetic repository of 10,000 systems, 50,000 modules, 2,000 zones and 300
// drivers, then measures what the server lives on: the cold load and validation of the head
// (first start, and a restart with the cache directory), a burst of form commits through
// `ConfigRepository.apply` (throughput, latency, `.git` while it lasts), history of one object
// after the burst, revert, and the repository once packed. Prints a table and writes
// bench/results/config-bench.json.
//
// Options: `--small` (sizes / 10), `--flat` (no shard folders), `--writes N` (default
// 30,000), `--workspace DIR` (default: `.build/` of the current folder, where `make bench`
// builds, else $TMPDIR), `--no-pack` (no background packing). The server's repository lives
// in its working folder too; /tmp is where every compiler on a shared machine creates and
// deletes its temporary files, and on ext4 without a journal that makes each file created
// there slow (docs/performance.md).
import BenchSupport
import ConfigRepo
import Foundation

let arguments = CommandLine.arguments
func option(_ name: String) -> String? { arguments.firstIndex(of: name).flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil } }
let portfolio = SyntheticPortfolio(arguments: arguments)
let scale = arguments.contains("--small") ? 10 : 1
let noPack = arguments.contains("--no-pack")
let burst = option("--writes").flatMap(Int.init) ?? 30_000 / scale

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

/// The bytes of the regular files under `path` (what `du` would count, roughly).
func directoryMegabytes(_ path: String) -> Double {
    let enumerator = FileManager.default.enumerator(atPath: path)
    var total = 0
    while let file = enumerator?.nextObject() as? String {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path + "/" + file)
        if attributes?[.type] as? FileAttributeType == .typeRegular { total += (attributes?[.size] as? Int) ?? 0 }
    }
    return Double(total) / 1_048_576
}

let defaultWorkspace = FileManager.default.fileExists(atPath: ".build") ? FileManager.default.currentDirectoryPath + "/.build" : NSTemporaryDirectory()
let workspace = (option("--workspace") ?? defaultWorkspace) + "/config-bench-\(UUID().uuidString)"
defer { try? FileManager.default.removeItem(atPath: workspace) }
let repositoryPath = workspace + "/repo"
let cacheDirectory = workspace + "/state/cache"
var report = BenchReport(name: "config-bench")

print("config-bench: \(portfolio.summary); \(burst) commits in the burst; in \(workspace)")
var start = now()
try portfolio.write(at: workspace + "/source")
let secret = try DeploymentSecret.loadOrCreate(stateDirectory: workspace + "/state")
_ = try ConfigStore.create(at: repositoryPath, from: workspace + "/source", message: "Synthetic portfolio")
print(String(format: "  created the repository in %.1f s", now() - start))
// The source tree stays until the end: deleting its 62,000 files here would charge the
// file system's bookkeeping of freed inodes to the measured writes (docs/performance.md).

/// A repository as the server opens it: its cache directory, the working tree following in
/// the background, packing in the background.
func openRepository() throws -> ConfigRepository {
    ConfigRepository(store: try ConfigStore(path: repositoryPath, cacheDirectory: cacheDirectory, packCheckInterval: noPack ? 0 : 8,
                                            workingTreeUpdate: .background),
                     secretBox: SecretBox(secret: secret))
}

/// Loads the head and validates it, as the server does at start; returns the seconds of each.
func coldStart(_ repository: ConfigRepository) throws -> (load: Double, validate: Double, objects: Int) {
    var begin = now()
    let snapshot = try repository.headSnapshot()
    let load = now() - begin
    begin = now()
    let problems = try repository.validatedHead().problems
    precondition(problems.isEmpty, "synthetic tree is invalid: \(problems.prefix(3))")
    return (load, now() - begin, Kind.allCases.reduce(0) { $0 + snapshot.count($1) })
}

// Cold start: the first one parses every file; a restart finds the cache the first one left.
let first = try coldStart(try openRepository())
let rss = residentMegabytes()
let repository = try openRepository()
let restart = try coldStart(repository)
report.add("first start: load \(first.objects) objects + validate", String(format: "%.0f + %.0f ms = %.2f s", first.load * 1000, first.validate * 1000, first.load + first.validate), "")
report.add("restart: load + validate (cache directory)", String(format: "%.0f + %.0f ms = %.2f s", restart.load * 1000, restart.validate * 1000, restart.load + restart.validate), "≤ 0.5 s")
report.add("RSS after load", String(format: "%.0f MB", rss), "≤ 300 MB")

// The burst: form edits of one system's capacity, validated and committed, back to back.
let author = Signature(name: "Bench", email: "bench@example.com")
func editSystem(_ index: Int) throws {
    var system = try repository.headSnapshot().document(.system, "sys-\(index % portfolio.systems)")!
    system["capacity"] = .int(1 + (system.int("capacity") ?? 0) % 50)
    try repository.apply([.save(system)], author: author)
}
var latencies: [Double] = []
latencies.reserveCapacity(burst)
var largestGit = directoryMegabytes(repositoryPath + "/.git")
let burstStart = now()
let burstCPUStart = processCPUSeconds()
for index in 0..<burst {
    let begin = now()
    try editSystem(index * 13)
    latencies.append(now() - begin)
    if index % 1000 == 999 { largestGit = max(largestGit, directoryMegabytes(repositoryPath + "/.git")) }
}
let burstSeconds = now() - burstStart
let cpuPerWrite = (processCPUSeconds() - burstCPUStart) / Double(burst)
let gitAfterBurst = directoryMegabytes(repositoryPath + "/.git")
report.add("sustained form commits (\(burst) in one burst)", String(format: "%.0f /s", Double(burst) / burstSeconds), "≥ 1,000 /s")
report.add("  commit latency p50 / p99 / max", String(format: "%.2f / %.2f / %.1f ms", BenchClock.percentile(latencies, 0.5) * 1000,
                                                     BenchClock.percentile(latencies, 0.99) * 1000, (latencies.max() ?? 0) * 1000), "p99 ≤ 5 ms")
report.add("  CPU per commit (all threads)", String(format: "%.2f ms", cpuPerWrite * 1000), "")
report.add("  .git during the burst (largest) / at its end", String(format: "%.0f / %.0f MB", largestGit, gitAfterBurst), "small")

// History of one object after the burst: from the live store, and after a restart (the
// path-history index read from the cache directory).
start = now()
let history = try repository.history(of: ObjectRef(.system, "sys-0"))
let liveHistory = now() - start
let restarted = try openRepository()
_ = try restarted.headSnapshot()  // A restarted server has loaded its head before anyone asks.
start = now()
_ = try restarted.history(of: ObjectRef(.system, "sys-0"))
let restartedHistory = now() - start
report.add("history of one object after the burst (\(history.count) of \(burst + 1) commits)", String(format: "%.1f ms", liveHistory * 1000), "≤ 100 ms")
report.add("  the same after a restart", String(format: "%.1f ms", restartedHistory * 1000), "≤ 100 ms")

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
report.add("revert of a recent commit, p50", String(format: "%.2f ms", BenchClock.percentile(revertTimes, 0.5) * 1000), "")

repository.store.waitForWorkingTree()
let packsBefore = repository.store.packCount
start = now()
_ = try repository.store.packAll()
report.add(".git once packed into one (from \(packsBefore) packs)", String(format: "%.0f MB in %.1f s", directoryMegabytes(repositoryPath + "/.git"), now() - start), "")

try report.finish()
