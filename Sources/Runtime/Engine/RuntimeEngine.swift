import ConfigRepo
import Dispatch
import Foundation
import Synchronization

/// The runtime of one node (DESIGN §5): runs every module of the applied configuration in its
/// driver's process, hot-applies new good commits, keeps the live status, resolves `Name_index`
/// per system, and answers exec, subscribe and debug for the WebSocket API, REST and drivers.
public final class RuntimeEngine: Sendable {
    public typealias StateWatcher = @Sendable (_ module: String, _ state: ModuleRunState) -> Void
    public typealias DebugWatcher = @Sendable (_ module: String, _ level: String, _ message: String) -> Void
    public typealias Logger = @Sendable (_ line: String) -> Void

    struct Subscription {
        var system: String?
        var name: String
        var index: Int
        var key: String
        var moduleID: String?
        var statusToken: Int?
        var handler: StatusStore.KeyWatcher
        /// For driver subscriptions: the subscribing module.
        var owner: String?
    }

    struct State {
        var snapshot: Snapshot?
        var appliedCommit: ObjectID?
        var specs: [String: ModuleSpec] = [:]
        var directory = SystemDirectory()
        var hosts: [String: DriverHost] = [:]
        var moduleHost: [String: DriverHost] = [:]
        /// Modules the engine could not hand to a process (no executable, unreadable settings).
        var failures: [String: String] = [:]
        var invalidHead: InvalidHead?
        var subscriptions: [Int: Subscription] = [:]
        var debugWatchers: [String: [Int: DebugWatcher]] = [:]
        var stateWatchers: [Int: StateWatcher] = [:]
        var nextToken = 1
        var closed = false
        /// The last unwatched warning or error logged per module, so a repeating one is logged once.
        var lastLogged: [String: String] = [:]
        /// Each module's condition as last seen and since when (`condition(of:)`).
        var conditionsSeen: [String: (state: ModuleCondition.State, since: Date)] = [:]
    }

    public let status: StatusStore
    /// The trigger instances of the applied configuration (docs/triggers.md).
    public let triggers: TriggerEngine
    /// Publishes every status change to the configured MQTT brokers (docs/mqtt.md).
    public let mqtt: MQTTPublisher
    public let configuration: RuntimeConfiguration
    /// Exec latency and commits, recorded in `configuration.metrics`.
    let metrics: RuntimeMetrics
    let repository: ConfigRepository?
    let box: SecretBox
    let state = Mutex(State())
    private let applyLock = Mutex(())
    let log: Logger
    /// Where the last applied commit is remembered across restarts (with a status directory).
    var appliedCommitRecord: AppliedCommitRecord? {
        configuration.statusDirectory.map { AppliedCommitRecord(path: $0 + "/applied-commit") }
    }
    nonisolated(unsafe) private let saveTimer: (any DispatchSourceTimer)?
    let watchToken = Mutex<WatchToken?>(nil)

    /// `repository` receives the `setting` commits of drivers; status is loaded from the snapshot.
    public init(configuration: RuntimeConfiguration, repository: ConfigRepository?, secretBox: SecretBox,
                log: @escaping Logger = { _ in }) {
        self.configuration = configuration
        self.repository = repository
        box = secretBox
        self.log = log
        status = StatusStore()
        metrics = RuntimeMetrics(configuration.metrics)
        let mqtt = MQTTPublisher(status: status, box: secretBox, metrics: configuration.metrics, options: configuration.mqtt, log: log)
        self.mqtt = mqtt
        _ = status.watchAll { module, key, value in mqtt.statusChanged(module: module, key: key, value: value) }
        if let directory = configuration.statusDirectory {
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            status.load(from: directory + "/modules.json")
            let timer = DispatchSource.makeTimerSource(queue: .global())
            timer.schedule(deadline: .now() + configuration.statusSaveInterval, repeating: configuration.statusSaveInterval)
            let store = status
            timer.setEventHandler { try? store.save(to: directory + "/modules.json") }
            timer.resume()
            saveTimer = timer
        } else {
            saveTimer = nil
        }
        triggers = TriggerEngine(box: secretBox, stateDirectory: configuration.statusDirectory,
                                 saveInterval: configuration.statusSaveInterval, log: log)
        triggers.attach(self)
        RuntimeMetrics.collect(from: self, into: configuration.metrics)
        _ = status.watchAll { [weak self] module, key, _ in
            if Self.conditionKeys.contains(key) { self?.noteCondition(of: module) }
        }
    }

    deinit { saveTimer?.cancel() }

    // MARK: - Applying configuration

    /// Runs `snapshot` (the first one, or a new good commit): starts, stops, updates and
    /// remaps only what changed.
    public func apply(_ snapshot: Snapshot) {
        apply(snapshot, onlyWhileHead: false)
    }

    /// `onlyWhileHead`: skip `snapshot` when the branch has moved past it since it was read (a
    /// watcher event overtaken by a REST commit, or the other way round), so the runtime never
    /// goes back to an older configuration; the newer head arrives as its own watcher event.
    func apply(_ snapshot: Snapshot, onlyWhileHead: Bool) {
        applyLock.withLock { _ in
            if onlyWhileHead, let repository, let commit = snapshot.commit, repository.store.head() != commit { return }
            applyLocked(snapshot)
        }
    }

    /// Resolves every driver of the running snapshot again and restarts only the modules whose
    /// executable changed: a git driver finished building, or its branch moved.
    public func reapply() {
        applyLock.withLock { _ in
            // Read under the apply lock: a head applied meanwhile is what runs, not an older one.
            guard let snapshot = state.withLock({ $0.snapshot }) else { return }
            applyLocked(snapshot)
        }
    }

    /// Stops one module and starts it again with its current configuration, clearing a failure
    /// to start (PlaceOS's `load`). False when the applied configuration has no such module or
    /// has it stopped (`running: false`: starting it is a commit, `setRunning`).
    public func reload(module id: String) -> Bool {
        applyLock.withLock { _ in
            guard let spec = state.withLock({ $0.specs[id] }), spec.running else { return false }
            perform(.restart(id), new: [id: spec])
            return true
        }
    }

    /// Applies `snapshot`; the caller holds `applyLock`.
    private func applyLocked(_ snapshot: Snapshot) {
        configuration.resolver.prepare(for: snapshot)
        let newSpecs = ModuleSpec.all(in: snapshot, resolver: configuration.resolver, box: box)
        let newDirectory = SystemDirectory(snapshot: snapshot)
        let (oldSpecs, oldDirectory, closed, oldCommit): ([String: ModuleSpec], SystemDirectory, Bool, ObjectID?) = state.withLock { state in
            let old = (state.specs, state.directory, state.closed, state.appliedCommit)
            guard !state.closed else { return old }
            state.specs = newSpecs
            state.directory = newDirectory
            state.snapshot = snapshot
            state.appliedCommit = snapshot.commit
            return old
        }
        guard !closed else { return }
        if snapshot.commit != oldCommit { metrics.commitsApplied.increment() }
        let actions = ApplyPlanner.plan(old: oldSpecs, new: newSpecs, oldDirectory: oldDirectory, newDirectory: newDirectory)
        if !actions.isEmpty, !oldSpecs.isEmpty {
            log("runtime: applying \(snapshot.commit?.short ?? "-"): \(actions.count) change\(actions.count == 1 ? "" : "s")")
        }
        for action in actions { perform(action, new: newSpecs) }
        // A new module that is not to run has no action; watchers still learn it is applied.
        for (id, spec) in newSpecs where oldSpecs[id] == nil && !spec.running { moduleStateChanged(id, .stopped) }
        // Before the status of removed modules goes: their retained topics are cleared from it.
        mqtt.apply(snapshot, directory: newDirectory)
        status.removeModules(notIn: Set(newSpecs.keys))
        triggers.apply(snapshot, changedSystems: newDirectory.changedSystems(comparedTo: oldDirectory))
        if let commit = snapshot.commit { appliedCommitRecord?.save(commit) }
    }

    /// Validates a new head; applies it when the whole tree is valid, else remembers it as the
    /// invalid head and keeps running the last good commit.
    public func receive(_ snapshot: Snapshot) {
        guard refuseIfInvalid(snapshot) == nil else { return }
        // A valid head ends the invalid one (applying an older good commit at start does not).
        state.withLock { $0.invalidHead = nil }
        apply(snapshot, onlyWhileHead: true)
    }

    /// Remembers `snapshot` as the invalid head and returns its problems, or returns nil when the
    /// whole tree is valid.
    func refuseIfInvalid(_ snapshot: Snapshot) -> [ValidationProblem]? {
        let problems = Validator(snapshot: snapshot).validateAll()
        guard !problems.isEmpty else { return nil }
        let author = snapshot.commit.flatMap { try? repository?.store.commitInfo($0).author }
        if let commit = snapshot.commit {
            let known = state.withLock { state in
                defer { state.invalidHead = InvalidHead(commit: commit, author: author, problems: problems.sorted()) }
                return state.invalidHead?.commit == commit
            }
            if !known { metrics.commitsRefused.increment() }
        }
        log("runtime: commit \(snapshot.commit?.short ?? "-") is invalid (\(problems.count) problem\(problems.count == 1 ? "" : "s")); still running \(appliedCommit?.short ?? "-")")
        return problems
    }

    /// Stops following, terminates every driver process and saves the status snapshot.
    public func shutdown() async {
        watchToken.withLock { $0 = nil }
        saveTimer?.cancel()
        triggers.shutdown()
        let hosts: [DriverHost] = state.withLock { state in
            state.closed = true
            return Array(state.hosts.values)
        }
        await withTaskGroup(of: Void.self) { group in
            for host in hosts { group.addTask { await host.shutdown() } }
        }
        mqtt.shutdown()
        if let directory = configuration.statusDirectory {
            try? status.save(to: directory + "/modules.json", force: true)
        }
    }

    private func perform(_ action: ApplyAction, new: [String: ModuleSpec]) {
        switch action {
        case .start(let id):
            if let spec = new[id] { launch(spec) }
        case .stop(let id):
            halt(id)
        case .restart(let id):
            halt(id)
            if let spec = new[id] { launch(spec) }
        case .reconnect(let id), .update(let id):
            guard let spec = new[id] else { return }
            let host = state.withLock { $0.failures[id] == nil ? $0.moduleHost[id] : nil }
            if let host { host.update(module: id, config: .object(spec.config)) } else { launch(spec) }
        case .remap(let system):
            remap(system: system)
        }
    }

    private func launch(_ spec: ModuleSpec) {
        let failure: String?
        if let problem = spec.settingsProblem {
            failure = problem
        } else {
            switch spec.executable {
            case .failure(let error): failure = error.message
            case .success: failure = nil
            }
        }
        if let failure {
            state.withLock { $0.failures[spec.id] = failure }
            // The server log says why too (once while it repeats), not only the module's pages.
            deliverLog([spec.id], level: "error", message: "cannot start: \(failure)")
            moduleStateChanged(spec.id, .failed(failure))
            return
        }
        guard case .success(let executable) = spec.executable else { return }
        let host: DriverHost = state.withLock { state in
            state.failures[spec.id] = nil
            let host = state.hosts[executable] ?? makeHost(executable)
            state.hosts[executable] = host
            state.moduleHost[spec.id] = host
            return host
        }
        let debugging = state.withLock { $0.debugWatchers[spec.id]?.isEmpty == false }
        host.start(module: spec.id, config: .object(spec.config), debugging: debugging)
    }

    private func halt(_ id: String) {
        let (host, hadFailure, owned): (DriverHost?, Bool, [Int]) = state.withLock { state in
            let host = state.moduleHost.removeValue(forKey: id)
            let hadFailure = state.failures.removeValue(forKey: id) != nil
            let owned = state.subscriptions.filter { $0.value.owner == id }.map(\.key)
            return (host, hadFailure, owned)
        }
        for token in owned { unsubscribe(token) }
        host?.stop(module: id)
        if hadFailure { moduleStateChanged(id, .stopped) }
    }

    private func makeHost(_ executable: String) -> DriverHost {
        DriverHost(executable: executable, timing: configuration.timing, callbacks: .init(
            status: { [weak self] module, key, value in self?.status.set(module: module, key: key, value: value) },
            log: { [weak self] modules, level, message in self?.deliverLog(modules, level: level, message: message) },
            request: { [weak self] message in
                guard let self else { return .failure(RuntimeError(code: "failed", message: "the runtime is shutting down")) }
                return await self.driverRequest(message)
            },
            unsubscribe: { [weak self] module, subscription in
                guard let self else { return }
                if self.state.withLock({ $0.subscriptions[subscription]?.owner == module }) { self.unsubscribe(subscription) }
            },
            stateChanged: { [weak self] module, state in self?.moduleStateChanged(module, state) },
            metadata: { _ in }))
    }

    // MARK: - Queries

    /// The commit running now.
    public var appliedCommit: ObjectID? { state.withLock { $0.appliedCommit } }
    /// The snapshot running now.
    public var snapshot: Snapshot? { state.withLock { $0.snapshot } }
    /// The last head refused as invalid, while it is still the head.
    public var invalidHead: InvalidHead? { state.withLock { $0.invalidHead } }
    public var directory: SystemDirectory { state.withLock { $0.directory } }

    /// Whether the applied configuration has this module.
    public func hasModule(_ id: String) -> Bool { state.withLock { $0.specs[id] != nil } }

    /// Module ids of the applied configuration, sorted.
    public var moduleIDs: [String] { state.withLock { $0.specs.keys.sorted() } }

    /// Where a module is in its life.
    public func moduleState(_ id: String) -> ModuleRunState {
        let (spec, failure, host) = state.withLock { ($0.specs[id], $0.failures[id], $0.moduleHost[id]) }
        if let failure { return .failed(failure) }
        guard let spec, spec.running, let host else { return .stopped }
        return host.runState(of: id) ?? .stopped
    }

    /// Running and not reporting `connected: false` (PlaceOS's online rule).
    public func isOnline(_ id: String) -> Bool {
        moduleState(id) == .running && status.value(module: id, key: "connected")?.boolValue != false
    }

    /// Why a running module is offline, in the driver's words (its `offline_reason` status:
    /// DriverKit sets it from the last disconnect or refused credentials); nil when it gives none.
    public func offlineReason(_ id: String) -> String? {
        guard !isOnline(id), let reason = status.value(module: id, key: "offline_reason")?.stringValue, !reason.isEmpty else { return nil }
        return reason
    }

    /// The driver metadata of a module's process, once it said `ready`.
    public func metadata(ofModule id: String) -> DriverMetadata? {
        state.withLock { $0.moduleHost[id] }?.metadata
    }

    /// The pid of the process hosting a module.
    public func processID(ofModule id: String) -> Int32? {
        state.withLock { $0.moduleHost[id] }?.pid
    }

    /// Every driver process: executable, pid, module ids and how often it was restarted.
    public func processes() -> [(executable: String, pid: Int32?, modules: [String], restarts: Int)] {
        state.withLock { Array($0.hosts.values) }.map { ($0.executable, $0.pid, $0.moduleIDs, $0.restartCount) }
            .sorted { $0.executable < $1.executable }
    }

    /// The `state` status of each system's logic module (`free`, `occupied`, `in_use`), for live maps.
    public func roomStates() -> [String: JSONValue] {
        let snapshot = state.withLock { $0.snapshot }
        guard let snapshot else { return [:] }
        var rooms: [String: JSONValue] = [:]
        for system in snapshot.unordered(.system) {
            for module in snapshot.logicModules(ofSystem: system.id) {
                if let value = status.value(module: module, key: "state") { rooms[system.id] = value; break }
            }
        }
        return rooms
    }

    /// Calls `watcher` whenever a module's run state changes. Returns a token for `unwatchStates`.
    public func watchStates(_ watcher: @escaping StateWatcher) -> Int {
        state.withLock { state in
            let token = state.nextToken
            state.nextToken += 1
            state.stateWatchers[token] = watcher
            return token
        }
    }

    public func unwatchStates(_ token: Int) {
        _ = state.withLock { $0.stateWatchers.removeValue(forKey: token) }
    }

    func moduleStateChanged(_ module: String, _ newState: ModuleRunState) {
        if newState != .running {
            // A new process starts with no failed polls: a `degraded` of the last one is stale.
            status.set(module: module, key: "degraded", value: .null)
            status.set(module: module, key: "degraded_reason", value: .null)
        }
        noteCondition(of: module)
        let watchers = state.withLock { Array($0.stateWatchers.values) }
        for watcher in watchers { watcher(module, newState) }
    }

    // MARK: - Debug

    /// Streams the module's log lines (its driver's `log` messages at every level, the process's
    /// stderr and the runtime's own notes) to `watcher` until `stopDebugging`.
    public func debug(module: String, _ watcher: @escaping DebugWatcher) -> Int {
        let (token, first, host): (Int, Bool, DriverHost?) = state.withLock { state in
            let token = state.nextToken
            state.nextToken += 1
            let first = state.debugWatchers[module]?.isEmpty ?? true
            state.debugWatchers[module, default: [:]][token] = watcher
            return (token, first, state.moduleHost[module])
        }
        if first { host?.setDebugging(module: module, true) }
        return token
    }

    public func stopDebugging(_ token: Int) {
        let (module, host): (String?, DriverHost?) = state.withLock { state in
            guard let module = state.debugWatchers.first(where: { $0.value[token] != nil })?.key else { return (nil, nil) }
            state.debugWatchers[module]![token] = nil
            guard state.debugWatchers[module]!.isEmpty else { return (nil, nil) }
            state.debugWatchers[module] = nil
            return (module, state.moduleHost[module])
        }
        if let module { host?.setDebugging(module: module, false) }
    }

    private func deliverLog(_ modules: [String], level: String, message: String) {
        let important = level == "error" || level == "warning"
        let (targets, logIt): ([(String, DebugWatcher)], Bool) = state.withLock { state in
            let targets = modules.flatMap { module in (state.debugWatchers[module] ?? [:]).values.map { (module, $0) } }
            guard important, targets.isEmpty, modules.count == 1 else { return (targets, false) }
            let repeated = state.lastLogged[modules[0]] == message
            state.lastLogged[modules[0]] = message
            return (targets, !repeated)
        }
        for (module, watcher) in targets { watcher(module, level, message) }
        if logIt { log("\(modules[0]): \(level): \(message)") }
    }
}
