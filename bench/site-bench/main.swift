// site-bench: the backoffice site at building-portfolio scale (issue 4's figures).
//
// Builds the synthetic portfolio of config-bench (10,000 systems, 50,000 modules, 2,000 zones,
// 300 drivers) through the repository's own write API, then measures: a full render of the
// site and its page count; one system edit → pages re-rendered and time; and form POST → 303
// latency with 8 concurrent editors (SITE_BENCH_EDITORS=N for another number), through the router
// exactly as the server answers: the form handlers run on BlockingWorkers, so a POST's time includes
// waiting for a worker while the other editors' requests run.
// Prints a table and writes bench/results/site-bench.json. `--small` divides the sizes by 10.
// The repository uses the sharded layout for modules, systems and zones (as config-bench does;
// `--flat` puts every object in its kind's directory instead).
import Auth
import BackOfficeApp
import BenchSupport
import ConfigRepo
import Foundation
import SiteGen
import Synchronization
import WebServer

let portfolio = SyntheticPortfolio()

func now() -> Double { BenchClock.now() }
func ms(_ seconds: Double) -> String { String(format: "%.1f ms", seconds * 1000) }

// SITE_BENCH_WORKSPACE=DIR keeps the workspace and reuses its repository on the next run
// (for profiling; the edits of earlier runs stay in its history).
let kept = ProcessInfo.processInfo.environment["SITE_BENCH_WORKSPACE"]
let workspace = kept ?? NSTemporaryDirectory() + "site-bench-\(UUID().uuidString)"
// Deleting 60,000 files right before creating 60,000 makes the creation slow on this machine's
// journal-less ext4 (it skips recently deleted inodes one by one), so the source tree and
// the workspace are deleted at the end.
defer { if kept == nil { try? FileManager.default.removeItem(atPath: workspace) } }
var report = BenchReport(name: "site-bench")

print("site-bench: \(portfolio.summary)")
var start = now()
let secret = try DeploymentSecret.loadOrCreate(stateDirectory: workspace + "/state")
if !FileManager.default.fileExists(atPath: workspace + "/repo") {
    try portfolio.write(at: workspace + "/source")
    _ = try ConfigStore.create(at: workspace + "/repo", from: workspace + "/source", message: "Synthetic portfolio")
}
defer { try? FileManager.default.removeItem(atPath: workspace + "/source") }
let repository = ConfigRepository(store: try ConfigStore(path: workspace + "/repo", workingTreeUpdate: .background),
                                  secretBox: SecretBox(secret: secret))
/// Makes this run's edits differ from a kept workspace's earlier runs (an unchanged value commits nothing).
let runSalt = Int.random(in: 1...99_999)
let author = Signature(name: "Bench", email: "bench@example.com")
// The store checks the working tree out in the background; let it finish so it does not
// compete with the render for the disk.
repository.store.waitForWorkingTree()
print(String(format: "  created the repository in %.1f s (working tree included)", now() - start))

let templates = FileManager.default.currentDirectoryPath + "/site-templates"
let library = try TemplateLibrary(directory: templates)
let site = workspace + "/site-\(UUID().uuidString.prefix(8))"   // fresh even in a kept workspace
let builder = SiteBuilder(library: library, directory: site,
                          changedPaths: { from, to in try repository.store.changes(from: from, to: to) })

// 1. Full render: the engine alone (no files), then for real.
let snapshot = try repository.headSnapshot()
/// Runs `render` and returns its report with the CPU seconds the process spent meanwhile (every
/// thread: renderers and writer), a figure that holds still when the machine is busy.
func timedCPU(_ render: () throws -> SiteBuilder.Report) rethrows -> (SiteBuilder.Report, Double) {
    let before = ProcessCPU.seconds()
    let result = try render()
    return (result, ProcessCPU.seconds() - before)
}
let (inMemory, inMemoryCPU) = try timedCPU { try builder.renderAll(snapshot, write: false) }
report.add("full render without writing files (wall; CPU)", String(format: "%.2f s; %.2f s", inMemory.seconds, inMemoryCPU), "")
if ProcessInfo.processInfo.environment["SITE_BENCH_RENDER_ONLY"] != nil {
    print("render only: \(inMemory.written) pages in \(String(format: "%.2f", inMemory.seconds)) s")
    exit(0)
}
let (full, fullCPU) = try timedCPU { try builder.renderAll(snapshot) }
try builder.copyAssets(from: templates + "/assets")
report.add("full render into a new directory (\(full.written) pages; wall; CPU)", String(format: "%.2f s; %.2f s", full.seconds, fullCPU), "≤ 2 s")
// A restart: the same render over the site already there (files rewritten, none created).
let (again, againCPU) = try timedCPU { try builder.renderAll(snapshot) }
report.add("full render over the previous site (restart; wall; CPU)", String(format: "%.2f s; %.2f s", again.seconds, againCPU), "≤ 2 s")
if ProcessInfo.processInfo.environment["SITE_BENCH_FULL_ONLY"] != nil {
    print(String(format: "full render: %d pages in %.2f s (CPU %.2f s); again over it: %.2f s (CPU %.2f s); without files %.2f s (CPU %.2f s)",
                 full.written, full.seconds, fullCPU, again.seconds, againCPU, inMemory.seconds, inMemoryCPU))
    exit(0)
}
let megabytes = (try FileManager.default.subpathsOfDirectory(atPath: site)).reduce(0) { total, path in
    total + ((try? FileManager.default.attributesOfItem(atPath: site + "/" + path)[.size] as? Int) ?? 0)
}
report.add("site size", String(format: "%.0f MB", Double(megabytes) / 1_048_576), "")

// A new repository holds its 62,000 objects loose; the store packs them in the background
// after its 100th commit, which would land in the middle of the form measurements (a
// running server did that long ago). Pack them now. Not before the full render: deleting
// 62,000 loose files right before creating 63,000 pages slows the creation down severalfold
// on a journal-less ext4 (see docs/site.md, Files).
let packed = try repository.store.packIfNeeded()
print("  packed the repository before the edits: \(packed?.packedObjects ?? 0) objects")

// 2. One system edit → re-render.
var updateTimes: [Double] = []
var planTimes: [Double] = []
var pageCounts: [Int] = []
for index in 0..<30 {
    var system = try repository.headSnapshot().document(.system, "sys-\(index * 97 % portfolio.systems)")!
    system["capacity"] = .int((system.int("capacity") ?? 0) + 1)
    try repository.apply([.save(system)], author: author)
    let report = try builder.update(latest: { try repository.headSnapshot() })
    updateTimes.append(report.seconds)
    planTimes.append(report.planSeconds)
    pageCounts.append(report.written)
}
report.add("system edit (capacity): pages re-rendered", "\(pageCounts.max()!) (max of 30)", "≤ 50")
report.add("system edit: re-render time p50 / max", ms(BenchClock.percentile(updateTimes, 0.5)) + " / " + ms(updateTimes.max()!), "≤ 50 ms")
report.add("  of which git diff + dependencies, p50", ms(BenchClock.percentile(planTimes, 0.5)), "")
var renameTimes: [Double] = []
var renamePages: [Int] = []
for index in 0..<10 {
    var system = try repository.headSnapshot().document(.system, "sys-\((index * 131 + 1) % portfolio.systems)")!
    system["name"] = .string("Renamed room \(index) (run \(runSalt))")
    try repository.apply([.save(system)], author: author)
    let report = try builder.update(latest: { try repository.headSnapshot() })
    renameTimes.append(report.seconds)
    renamePages.append(report.written)
}
report.add("system rename: pages re-rendered", "\(renamePages.max()!) (max of 10)", "≤ 50")
report.add("system rename: re-render time p50", ms(BenchClock.percentile(renameTimes, 0.5)), "≤ 50 ms")

// 3. Form POST → 303 with 8 concurrent editors, each on its own systems.
let app = try SiteService(repository: repository, builder: builder, library: library, siteDirectory: site, stateDirectory: workspace + "/state")
var router = Router()
app.mount(on: &router)
// The editors are the local administrator, as with `serve --auth off`.
router.gate = LocalAdminGate.gate
let frozenRouter = router

/// One editor: opens the edit form like a browser (cookie + token + version), changes the capacity, posts.
/// Returns the POST's latency, its status and the latency of following its redirect (the
/// detail page, which must show the new value: the site catches up with the branch first).
func edit(_ systemID: String, round: Int) async throws -> (Double, Int, Double) {
    let path = "/backoffice/systems/\(systemID)/edit"
    let form = await frozenRouter.respond(to: try Request(method: .get, target: path))
    let page = String(decoding: form.body, as: UTF8.self)
    let cookie = form.headers["set-cookie"]!.split(separator: ";")[0]
    func value(_ name: String) -> String {
        let marker = "name=\"\(name)\" value=\""
        let tail = page[page.range(of: marker)!.upperBound...]
        return String(tail[..<tail.firstIndex(of: "\"")!])
    }
    var fields = ["_csrf": value("_csrf"), "_version": value("_version"), "name": value("name"), "capacity": String(20 + round + runSalt * 100),
                  "zones": "zone-org\nzone-b0\nzone-l0", "modules": "", "bookable": "on"]
    let system = try repository.headSnapshot().document(.system, systemID)!
    fields["zones"] = SystemView(system).zoneIDs.joined(separator: "\n")
    fields["modules"] = SystemView(system).moduleIDs.joined(separator: "\n")
    fields["email"] = system.string("email") ?? ""
    fields["features"] = system.strings("features").joined(separator: "\n")
    let body = Array(fields.map { FormEncoding.encode($0.key) + "=" + FormEncoding.encode($0.value) }.joined(separator: "&").utf8)
    let begin = now()
    let response = await frozenRouter.respond(to: try Request(method: .post, target: path,
        headers: ["Cookie": String(cookie), "Content-Type": "application/x-www-form-urlencoded"], body: body))
    let posted = now()
    guard let location = response.headers["location"] else { return (posted - begin, response.status.code, 0) }
    let detail = await frozenRouter.respond(to: try Request(method: .get, target: location, headers: ["Cookie": String(cookie)]))
    precondition(String(decoding: detail.body, as: UTF8.self).contains(String(20 + round + runSalt * 100)), "the detail page misses the new capacity")
    return (posted - begin, response.status.code, now() - posted)
}

let editors = Int(ProcessInfo.processInfo.environment["SITE_BENCH_EDITORS"] ?? "") ?? 8
let rounds = 25
start = now()
let latencies = try await withThrowingTaskGroup(of: [(Double, Int, Double)].self) { group in
    for editor in 0..<editors {
        group.addTask {
            var mine: [(Double, Int, Double)] = []
            for round in 0..<rounds { mine.append(try await edit("sys-\((portfolio.systems / 2 + editor * 100 + round) % portfolio.systems)", round: round)) }
            return mine
        }
    }
    var all: [(Double, Int, Double)] = []
    for try await part in group { all += part }
    return all
}
let elapsed = now() - start
let statuses = Dictionary(grouping: latencies, by: \.1).mapValues(\.count)
precondition(statuses.keys.allSatisfy { $0 == 303 }, "form posts did not all answer 303: \(statuses)")
let times = latencies.map(\.0)
report.add("form POST → 303, \(editors) editors: p50", ms(BenchClock.percentile(times, 0.5)), "")
report.add("form POST → 303, \(editors) editors: p99", ms(BenchClock.percentile(times, 0.99)), "≤ 30 ms")
let follows = latencies.map(\.2)
report.add("then GET of the 303 target (catch-up): p50 / p99", ms(BenchClock.percentile(follows, 0.5)) + " / " + ms(BenchClock.percentile(follows, 0.99)), "")
report.add("form commits per second (\(editors) editors)", String(format: "%.0f /s", Double(latencies.count) / elapsed), "")

// 4. The same over HTTP, as the server answers it: the site's routes on the real HTTP server,
// and the head watch of `serve` (every new head re-renders the affected pages and re-checks the
// banner on the watcher's thread, `Application`'s `HeadFeed`). Each editor is a thread with its
// own keep-alive connection and form cookie; it opens the edit form of its system, then POSTs and
// times POST → 303, following nothing. The runtime is not attached (no modules run here).
app.headChanged()   // what `serve` does at start: pages at the head, the banner's first (full) validation
let watch = try repository.watch { _ in app.headChanged() }
let http = HTTPServer(configuration: .init(port: 0, logger: Logger(level: .error)), router: frozenRouter)
let port = try http.start()
let httpRounds = Int(ProcessInfo.processInfo.environment["SITE_BENCH_HTTP_ROUNDS"] ?? "") ?? 40

/// One editor over HTTP: `rounds` times GET the edit form, POST it with a new capacity; returns the POST → 303 times.
func httpEditor(_ editor: Int) throws -> [Double] {
    guard let client = LoopbackHTTPClient(port: port) else { throw LoopbackHTTPClient.Failure(description: "cannot connect to \(port)") }
    var times: [Double] = []
    var cookie: String?
    for round in 0..<httpRounds {
        let systemID = "sys-\((portfolio.systems / 3 + editor * 211 + round) % portfolio.systems)"
        let path = "/backoffice/systems/\(systemID)/edit"
        let form = try client.send("GET", path, headers: cookie.map { ["Cookie": $0] } ?? [:])
        precondition(form.status == 200, "GET \(path): \(form.status)")
        if let setCookie = form.headers["set-cookie"] { cookie = String(setCookie.split(separator: ";")[0]) }
        let page = form.text
        func value(_ name: String) -> String {
            let marker = "name=\"\(name)\" value=\""
            let tail = page[page.range(of: marker)!.upperBound...]
            return String(tail[..<tail.firstIndex(of: "\"")!])
        }
        let system = try repository.headSnapshot().document(.system, systemID)!
        let fields = ["_csrf": value("_csrf"), "_version": value("_version"), "name": value("name"),
                      "capacity": String(1_000 + round + runSalt * 100), "bookable": "on",
                      "zones": SystemView(system).zoneIDs.joined(separator: "\n"), "modules": SystemView(system).moduleIDs.joined(separator: "\n"),
                      "email": system.string("email") ?? "", "features": system.strings("features").joined(separator: "\n")]
        let body = Array(fields.map { FormEncoding.encode($0.key) + "=" + FormEncoding.encode($0.value) }.joined(separator: "&").utf8)
        let begin = now()
        let response = try client.send("POST", path, headers: ["Cookie": cookie!, "Content-Type": "application/x-www-form-urlencoded"],
                                       body: body)
        times.append(now() - begin)
        precondition(response.status == 303, "POST \(path): \(response.status) \(response.text.prefix(300))")
        if round == httpRounds - 1 {
            // The promise of docs/site.md: the page the 303 names shows the new value at once.
            let detail = try client.send("GET", response.headers["location"]!, headers: ["Cookie": cookie!])
            precondition(detail.text.contains(String(1_000 + round + runSalt * 100)), "the detail page misses the new capacity")
        }
    }
    return times
}
let cpuBefore = ProcessCPU.seconds()
start = now()
let httpResults = Mutex<[[Double]]>([])
let httpFailure = Mutex<String?>(nil)
// Threads of their own (`concurrentPerform` would run only as many editors as there are cores).
let editorsDone = DispatchGroup()
for editor in 0..<editors {
    editorsDone.enter()
    Thread.detachNewThread {
        do { let mine = try httpEditor(editor); httpResults.withLock { $0.append(mine) } }
        catch { httpFailure.withLock { $0 = "\(error)" } }
        editorsDone.leave()
    }
}
editorsDone.wait()
let httpElapsed = now() - start
let cpuPerCommit = (ProcessCPU.seconds() - cpuBefore) / Double(editors * httpRounds)
if let failure = httpFailure.withLock({ $0 }) { fatalError("an HTTP editor failed: \(failure)") }
let httpTimes = httpResults.withLock { $0 }.flatMap { $0 }
report.add("form POST → 303 over HTTP, \(editors) editors: p50", ms(BenchClock.percentile(httpTimes, 0.5)), "")
report.add("form POST → 303 over HTTP, \(editors) editors: p99", ms(BenchClock.percentile(httpTimes, 0.99)), "≤ 15 ms")
report.add("  commits/s over HTTP; CPU per edit (GET form + POST + renders)",
           String(format: "%.0f /s; %.1f ms", Double(httpTimes.count) / httpElapsed, cpuPerCommit * 1000), "")
await http.shutdown(gracePeriod: 1)
watch.cancel()

try report.finish(valueWidth: 30)
