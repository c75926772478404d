// driver-build-bench: drivers from git, timed. A git repository on disk holds the template
// greeter and a copy of the PJLink driver; the bench measures a cold build (DriverKit not yet
// built in a fresh state directory), a warm build of a second driver, a cache hit, and "pin a
// new commit → modules running on it" through the runtime (fetch, build, restart). Run from
// the checkout (it builds against ./Sources/DriverKit): `.build/release/driver-build-bench`.
import BenchSupport
import ConfigRepo
import Foundation
import Runtime

@discardableResult
func git(_ directory: String, _ arguments: String...) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/git")
    process.arguments = ["-C", directory, "-c", "user.name=Bench", "-c", "user.email=bench@example.com"] + arguments
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw RuntimeError(code: "git", message: "git \(arguments) failed") }
    return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
}

func copy(_ from: String, to: String) throws {
    try FileManager.default.createDirectory(atPath: (to as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try FileManager.default.copyItem(atPath: from, toPath: to)
}

func file(_ path: String, _ members: [String: JSONValue]) -> RepoFile {
    let bytes = JSONWriter.canonicalBytes(.object(members))
    return RepoFile(path: path, blob: ObjectID.blob(hashing: bytes), bytes: bytes)
}

/// The configuration: the repository, a greeter driver pinned to `commit`, one room running it.
func snapshot(source: String, commit: ObjectID) -> Snapshot {
    Snapshot(commit: nil, files: [
        file("repositories/repo-bench.json", ["name": "Bench", "repo_type": "driver", "folder_name": "bench",
                                              "uri": .string(source), "branch": "main"]),
        file("drivers/driver-greeter.json", ["name": "Greeter", "repository_id": "repo-bench", "file_name": "greeter/Greeter.swift",
                                             "role": 99, "module_name": "Greeter", "commit": .string(commit.hex)]),
        file("systems/sys-bench.json", ["name": "Bench room", "modules": ["mod-greeter"]]),
        file("modules/mod-greeter.json", ["driver_id": "driver-greeter", "control_system_id": "sys-bench"]),
    ])
}

func seconds(_ value: Double) -> String { String(format: "%.1f s", value) }

let checkout = FileManager.default.currentDirectoryPath
let work = NSTemporaryDirectory() + "driver-build-bench-\(getpid())"
defer { try? FileManager.default.removeItem(atPath: work) }
let source = work + "/source"
try FileManager.default.createDirectory(atPath: source, withIntermediateDirectories: true)
try git(source, "init", "-q", "-b", "main")
let greeterPath = checkout + "/Drivers/Templates/greeter/Greeter.swift"
try copy(greeterPath, to: source + "/greeter/Greeter.swift")
try copy(checkout + "/Drivers/Templates/greeter/main.swift", to: source + "/greeter/main.swift")
try copy(checkout + "/Drivers/pjlink/PJLinkProjector.swift", to: source + "/pjlink/PJLinkProjector.swift")
try copy(checkout + "/Drivers/pjlink/main.swift", to: source + "/pjlink/main.swift")
try git(source, "add", "-A")
try git(source, "commit", "-q", "-m", "greeter and pjlink")
let first = ObjectID(hex: try git(source, "rev-parse", "HEAD"))!

let toolchain = try DriverKitToolchain(sources: checkout + "/Sources")
let box = SecretBox(secret: try DeploymentSecret.loadOrCreate(stateDirectory: work + "/state"))
let repositories = DriverRepositories(stateDirectory: work + "/state", secretBox: box, toolchain: { .success(toolchain) })
repositories.prepare(for: snapshot(source: source, commit: first))
guard await repositories.pull("repo-bench")?.head == first else { fatalError("the bench repository did not fetch") }

var report = BenchReport(name: "driver-build-bench")
print("driver-build-bench: DriverKit \(toolchain.version), \(ProcessInfo.processInfo.activeProcessorCount) cores")

func build(_ file: String, _ commit: ObjectID) async -> (Double, DriverBuildState) {
    let start = BenchClock.now()
    let state = await repositories.builds.finished(repositories.builds.key(repositoryID: "repo-bench", file: file, commit: commit))
    return (BenchClock.now() - start, state)
}

let (cold, coldState) = await build("greeter/Greeter.swift", first)
guard case .built = coldState else { fatalError("the greeter did not build: \(coldState)") }
report.add("cold build: greeter (DriverKit built first)", seconds(cold), "well inside 10 min")
let (warm, warmState) = await build("pjlink/PJLinkProjector.swift", first)
guard case .built = warmState else { fatalError("pjlink did not build: \(warmState)") }
report.add("warm build: a second driver (PJLink, 200 lines)", seconds(warm))

// A restarted server finds the binary in the cache on disk, then in memory.
let fresh = DriverBuildService(buildsDirectory: work + "/state/drivers", toolchain: { .success(toolchain) },
                               mirrors: { try repositories.repositories.mirror($0) })
let key = fresh.key(repositoryID: "repo-bench", file: "greeter/Greeter.swift", commit: first)
let diskStart = BenchClock.now()
guard case .built = fresh.state(of: key) else { fatalError("the cache has no greeter") }
report.add("cache hit after a restart (record read from disk)", String(format: "%.2f ms", (BenchClock.now() - diskStart) * 1000))
let memoryStart = BenchClock.now()
for _ in 0..<10_000 { guard case .built = fresh.request(key) else { fatalError("cache miss") } }
report.add("cache hit in memory (per look-up)", String(format: "%.1f µs", (BenchClock.now() - memoryStart) / 10_000 * 1e6))
fresh.close()

// Pin a new commit: the module moves from the first commit's binary to the new one's.
let engine = RuntimeEngine(configuration: RuntimeConfiguration(resolver: repositories), repository: nil, secretBox: box)
repositories.onChange { [weak engine] in engine?.reapply() }
func greeting() async -> String? {
    try? await engine.exec(module: "mod-greeter", method: "greet", args: .array([.string("bench")]), role: .admin).get().stringValue
}
func waitFor(_ expected: String) async {
    while await greeting() != expected { try? await Task.sleep(for: .milliseconds(5)) }
}
engine.apply(snapshot(source: source, commit: first))
await waitFor("Hello, bench!")
let text = try String(contentsOfFile: greeterPath, encoding: .utf8)
try text.replacingOccurrences(of: "defaultSettings: [\"greeting\": \"Hello\"]", with: "defaultSettings: [\"greeting\": \"Bonjour\"]")
    .write(toFile: source + "/greeter/Greeter.swift", atomically: true, encoding: .utf8)
try git(source, "commit", "-q", "-am", "greeter: French")
let second = ObjectID(hex: try git(source, "rev-parse", "HEAD"))!
let pinStart = BenchClock.now()
_ = await repositories.pull("repo-bench")
engine.apply(snapshot(source: source, commit: second))
await waitFor("Bonjour, bench!")
report.add("pin a new commit → module running on it (fetch, build, restart)", seconds(BenchClock.now() - pinStart))
let backStart = BenchClock.now()
engine.apply(snapshot(source: source, commit: first))
await waitFor("Hello, bench!")
report.add("pin back to a built commit → module running on it", String(format: "%.0f ms", (BenchClock.now() - backStart) * 1000))

await engine.shutdown()
repositories.close()
try report.finish()
