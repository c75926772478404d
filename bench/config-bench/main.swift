// config-bench: the configuration store at building-portfolio scale (issue 2's figures).
//
// Builds a synthetic repository of 10,000 systems, 50,000 modules, 2,000 zones and 300
// drivers, then measures snapshot load + validation, one-object write latency, sustained
// writes, revert, history of one object, memory after load, and repository size after
// 10,000 form commits. Prints a table and writes bench/results/config-bench.json.
import ConfigRepo
import Foundation

let arguments = CommandLine.arguments
let scale = arguments.contains("--small") ? 10 : 1
let counts = (systems: 10_000 / scale, modulesPerSystem: 5, zones: 2_000 / scale, drivers: 300 / scale)
/// `--flat`: every object in its kind's directory instead of the sharded layout for the big kinds.
let flat = arguments.contains("--flat")
/// `--no-pack`: no background packing during the writes (to see what packing costs them).
let noPack = arguments.contains("--no-pack")
/// `--writes N`: how many form commits to make in all (default 10,000).
let commitsTarget = arguments.firstIndex(of: "--writes").flatMap { Int(arguments[$0 + 1]) } ?? 10_000 / scale

func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

/// CPU seconds used by the whole process (all threads), which other load on the machine
/// changes far less than wall time.
func processCPUSeconds() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}

func percentile(_ values: [Double], _ p: Double) -> Double {
    let sorted = values.sorted()
    return sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * p))]
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

/// Writes the synthetic building portfolio as files under `root`.
func writeSyntheticTree(at root: String) throws {
    let fileManager = FileManager.default
    func put(_ path: String, _ members: [String: JSONValue]) throws {
        let url = URL(fileURLWithPath: root + "/" + path)
        try fileManager.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(JSONWriter.canonicalBytes(.object(members))).write(to: url)
    }
    func place(_ kind: Kind, _ id: String) -> String {
        let ref = ObjectRef(kind, id)
        return flat ? ref.path : ref.shardedPath
    }
    var deployment: [String: JSONValue] = ["title": "Synthetic portfolio", "settings": ["none": ["timezone": "UTC"]]]
    if !flat { deployment["layout"] = ["sharded": ["modules", "systems", "zones"]] }
    try put("backoffice.json", deployment)
    try put("domains/authority-bench.json", ["name": "Bench", "domain": "localhost"])
    try put("repositories/repo-bench.json", ["name": "Drivers", "repo_type": "driver", "folder_name": "drivers", "uri": "bundled:Drivers"])
    for d in 0..<counts.drivers {
        let logic = d % 10 == 0
        try put("drivers/driver-\(d).json", [
            "name": .string("Driver \(d)"), "repository_id": "repo-bench", "file_name": .string("d\(d)/Driver.swift"),
            "role": logic ? 99 : 1, "module_name": .string(logic ? "Logic\(d)" : "Device\(d)"),
            "default_port": logic ? nil : 4352, "settings": ["none": ["poll_every": 30]],
        ].compactMapValues { $0.isNull ? nil : $0 })
    }
    let buildings = max(1, counts.zones / 100)
    try put(place(.zone, "zone-org"), ["name": "Portfolio", "tags": ["org"]])
    for b in 0..<buildings {
        try put(place(.zone, "zone-b\(b)"), ["name": .string("Building \(b)"), "tags": ["building"], "parent_id": "zone-org"])
    }
    let levels = counts.zones - buildings - 1
    for l in 0..<levels {
        try put(place(.zone, "zone-l\(l)"), ["name": .string("Level \(l)"), "tags": ["level"], "parent_id": .string("zone-b\(l % buildings)"),
                                          "settings": ["none": ["vacancy_timeout_minutes": .int(10 + l % 20)]]])
    }
    let logicDrivers = stride(from: 0, to: counts.drivers, by: 10).map { $0 }
    let deviceDrivers = (0..<counts.drivers).filter { $0 % 10 != 0 }
    for s in 0..<counts.systems {
        let level = s % levels
        var modules: [JSONValue] = []
        for m in 0..<counts.modulesPerSystem {
            let id = "mod-s\(s)-\(m)"
            modules.append(.string(id))
            if m == 0 {
                try put(place(.module, id), ["driver_id": .string("driver-\(logicDrivers[s % logicDrivers.count])"),
                                               "control_system_id": .string("sys-\(s)")])
            } else {
                try put(place(.module, id), ["driver_id": .string("driver-\(deviceDrivers[(s + m) % deviceDrivers.count])"),
                                               "ip": .string("10.\(s / 250 % 250).\(s % 250).\(m)"), "port": 4352])
            }
        }
        try put(place(.system, "sys-\(s)"), [
            "name": .string("Room \(s)"), "email": .string("room\(s)@bench.example"), "capacity": .int(4 + s % 12),
            "bookable": true, "features": ["vc"], "zones": ["zone-org", .string("zone-b\(level % buildings)"), .string("zone-l\(level)")],
            "modules": .array(modules),
        ])
    }
}

let workspace = NSTemporaryDirectory() + "config-bench-\(UUID().uuidString)"
defer { try? FileManager.default.removeItem(atPath: workspace) }
var results: [(String, String, String)] = []  // (measure, value, target)

print("config-bench: \(counts.systems) systems, \(counts.systems * counts.modulesPerSystem) modules, \(counts.zones) zones, \(counts.drivers) drivers; \(flat ? "flat" : "sharded (modules, systems, zones)") layout")
var start = now()
try writeSyntheticTree(at: workspace + "/source")
let secret = try DeploymentSecret.loadOrCreate(stateDirectory: workspace + "/state")
let store = try ConfigStore.create(at: workspace + "/repo", from: workspace + "/source", message: "Synthetic portfolio")
print(String(format: "  created the repository in %.1f s", now() - start))
try? FileManager.default.removeItem(atPath: workspace + "/source")

// Snapshot load + validate, cold (a fresh repository object reads every blob).
// The server's setting: the working tree follows the branch in the background.
let repository = ConfigRepository(store: try ConfigStore(path: workspace + "/repo", packCheckInterval: noPack ? 0 : 100, workingTreeUpdate: .background),
                                  secretBox: SecretBox(secret: secret))
start = now()
let snapshot = try repository.headSnapshot()
let loaded = now() - start
start = now()
let problems = Validator(snapshot: snapshot).validateAll()
let validated = now() - start
precondition(problems.isEmpty, "synthetic tree is invalid: \(problems.prefix(3))")
let rss = residentMegabytes()
results.append(("snapshot load (\(Kind.allCases.reduce(0) { $0 + snapshot.count($1) }) objects)", String(format: "%.0f ms", loaded * 1000), ""))
results.append(("validate whole tree", String(format: "%.0f ms", validated * 1000), ""))
results.append(("load + validate", String(format: "%.2f s", loaded + validated), "≤ 2 s"))
results.append(("RSS after load", String(format: "%.0f MB", rss), "≤ 300 MB"))

// One-object writes: a form edit of one system's capacity, validated and committed.
let author = Signature(name: "Bench", email: "bench@example.com")
var latencies: [Double] = []
var commits = 0
func editSystem(_ index: Int) throws {
    var system = try repository.headSnapshot().document(.system, "sys-\(index % counts.systems)")!
    system["capacity"] = .int(1 + (system.int("capacity") ?? 0) % 50)
    try repository.apply([.save(system)], author: author)
}
for index in 0..<min(1_000, commitsTarget / 2) {
    let begin = now()
    try editSystem(index * 7)
    commits += 1
    latencies.append(now() - begin)
}
results.append(("write latency p50", String(format: "%.2f ms", percentile(latencies, 0.5) * 1000), ""))
results.append(("write latency p99", String(format: "%.2f ms", percentile(latencies, 0.99) * 1000), "≤ 10 ms"))

// Sustained writes, until the repository holds 10,000 form commits.
start = now()
let sustainedCPUStart = processCPUSeconds()
let sustainedStart = commits
while commits < commitsTarget {
    try editSystem(commits * 13)
    commits += 1
}
let sustained = Double(commits - sustainedStart) / (now() - start)
results.append(("sustained writes", String(format: "%.0f /s", sustained), "≥ 300 /s"))
let cpuPerWrite = (processCPUSeconds() - sustainedCPUStart) / Double(max(1, commits - sustainedStart))
results.append(("CPU per sustained write (all threads)", String(format: "%.2f ms", cpuPerWrite * 1000), ""))

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
results.append(("revert latency p50", String(format: "%.2f ms", percentile(revertTimes, 0.5) * 1000), ""))

// History of one object after 10,000 commits.
start = now()
let history = try repository.history(of: ObjectRef(.system, "sys-0"))
results.append(("history of one object (\(history.count) commits of \(commits + 100))", String(format: "%.0f ms", (now() - start) * 1000), ""))

let before = directoryMegabytes(workspace + "/repo/.git")
let looseBefore = repository.store.looseObjectCount()
_ = try repository.store.packIfNeeded(looseThreshold: 0)
let after = directoryMegabytes(workspace + "/repo/.git")
results.append((".git size after \(commits) commits", String(format: "%.0f MB (%d loose objects) → %.0f MB packed", before, looseBefore, after), "small"))

let width = results.map(\.0.count).max()! + 2
print("")
print("measure".padding(toLength: width, withPad: " ", startingAt: 0) + "value".padding(toLength: 44, withPad: " ", startingAt: 0) + "target")
for (measure, value, target) in results {
    print(measure.padding(toLength: width, withPad: " ", startingAt: 0) + value.padding(toLength: 44, withPad: " ", startingAt: 0) + target)
}
let json = results.map { ["measure": $0.0, "value": $0.1, "target": $0.2] }
try FileManager.default.createDirectory(atPath: "bench/results", withIntermediateDirectories: true)
try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys]).write(to: URL(fileURLWithPath: "bench/results/config-bench.json"))
