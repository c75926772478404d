import ConfigRepo
import Dispatch
import Foundation
import Synchronization

/// Runs the trigger instances of the applied configuration (docs/triggers.md): binds each
/// instance's comparisons to live statuses through the runtime, keeps its timers (`for`,
/// pulses, `cron`, `at`, debounce), runs its actions when it fires, and keeps its state for
/// the site, REST, the `_TRIGGER_` binding and the state file. It follows hot apply: each
/// applied commit starts, stops or restarts only the instances whose configuration changed.
///
/// One per runtime (`RuntimeEngine.triggers`).
public final class TriggerEngine: Sendable {
    public typealias StateWatcher = @Sendable (_ state: TriggerInstanceState) -> Void
    public typealias Logger = @Sendable (_ line: String) -> Void

    struct Registry {
        var specs: [String: TriggerInstanceSpec] = [:]
        var instances: [String: LiveTriggerInstance] = [:]
        /// Instance ids per system, in the system's order.
        var bySystem: [String: [String]] = [:]
        /// Systems with instances that hold each module (for function checks once it runs).
        var systemsByModule: [String: [String]] = [:]
        var watchers: [String: [Int: StateWatcher]] = [:]
        var allWatchers: [Int: StateWatcher] = [:]
        var nextToken = 1
        var closed = false
        var mailSettings: MailServerSettings?
        /// Counters from the state file, until their instance starts.
        var restored: [String: TriggerStateFile.Entry] = [:]
        var dirty = false
    }

    private struct RuntimeLink {
        weak var engine: RuntimeEngine?
    }

    let registry = Mutex(Registry())
    private let runtimeLink = Mutex(RuntimeLink())
    let box: SecretBox
    let runner: TriggerActionRunner
    let log: Logger
    private let stateFile: TriggerStateFile?
    nonisolated(unsafe) private let saveTimer: (any DispatchSourceTimer)?

    /// `stateDirectory`: where `triggers.json` keeps the counters (nil: in memory only).
    init(box: SecretBox, stateDirectory: String?, saveInterval: Double, log: @escaping Logger) {
        self.box = box
        self.log = log
        runner = TriggerActionRunner(mail: MailOutbox(box: box), webhooks: OutgoingWebhookSender(box: box))
        stateFile = stateDirectory.map { TriggerStateFile(path: $0 + "/triggers.json") }
        if let stateFile {
            let restored = stateFile.load()
            registry.withLock { $0.restored = restored }
            let timer = DispatchSource.makeTimerSource(queue: .global())
            timer.schedule(deadline: .now() + saveInterval, repeating: saveInterval)
            saveTimer = timer
        } else {
            saveTimer = nil
        }
        saveTimer?.setEventHandler { [weak self] in self?.save() }
        saveTimer?.resume()
    }

    deinit { saveTimer?.cancel() }

    /// Connects the engine to its runtime: statuses, exec, `Name_index` lookups, and the run
    /// state of modules (a module that starts running has its functions checked against the
    /// actions that call it).
    func attach(_ runtime: RuntimeEngine) {
        runtimeLink.withLock { $0.engine = runtime }
        _ = runtime.watchStates { [weak self] module, state in
            if state == .running { self?.moduleRunning(module) }
        }
    }

    var runtime: RuntimeEngine? { runtimeLink.withLock { $0.engine } }

    // MARK: - Following the configuration

    /// Brings the running instances to `snapshot`'s: starts new ones, stops removed ones, and
    /// restarts (keeping their counters) those whose trigger, entry, system name or secret
    /// changed, or whose system's modules changed (`changedSystems`). Others are not touched.
    func apply(_ snapshot: Snapshot, changedSystems: Set<String>) {
        let old = registry.withLock { $0.specs }
        let configs = snapshot.allTriggerInstances()
        let specs = TriggerInstanceSpec.all(in: snapshot, instances: configs, box: box, reusing: old)
        let directory = runtime?.directory ?? SystemDirectory(snapshot: snapshot)
        var bySystem: [String: [String]] = [:]
        for (systemID, instances) in configs {
            bySystem[systemID] = instances.map(\.id).filter { specs[$0] != nil }
        }
        var systemsByModule: [String: [String]] = [:]
        for system in bySystem.keys {
            for entry in directory.systems[system] ?? [] { systemsByModule[entry.moduleID, default: []].append(system) }
        }
        let (stopping, starting): ([LiveTriggerInstance], [(TriggerInstanceSpec, TriggerStateFile.Entry?)]) = registry.withLock { registry in
            guard !registry.closed else { return ([], []) }
            var stopping: [LiveTriggerInstance] = []
            for (id, live) in registry.instances where specs[id] != live.spec || changedSystems.contains(live.spec.systemID) {
                stopping.append(live)
                registry.instances[id] = nil
            }
            let carried = Dictionary(uniqueKeysWithValues: stopping.map { ($0.spec.id, $0.savedState) })
            var starting: [(TriggerInstanceSpec, TriggerStateFile.Entry?)] = []
            for (id, spec) in specs where registry.instances[id] == nil {
                starting.append((spec, carried[id] ?? registry.restored.removeValue(forKey: id)))
            }
            // The state file's entries serve the instances of the first configuration only.
            registry.restored = [:]
            registry.specs = specs
            registry.bySystem = bySystem
            registry.systemsByModule = systemsByModule
            registry.mailSettings = MailServerSettings(snapshot.deployment)
            if !stopping.isEmpty || !starting.isEmpty { registry.dirty = true }
            return (stopping, starting)
        }
        for live in stopping { stop(live) }
        let removed = stopping.filter { specs[$0.spec.id] == nil }.count
        if !old.isEmpty, removed + starting.count > 0 {
            log("triggers: \(starting.count) instance\(starting.count == 1 ? "" : "s") started, \(removed) removed")
        }
        for (spec, restored) in starting { start(spec, restored: restored) }
    }

    private func start(_ spec: TriggerInstanceSpec, restored: TriggerStateFile.Entry?) {
        let live = LiveTriggerInstance(spec: spec, restored: restored)
        let added = registry.withLock { registry in
            guard !registry.closed, registry.specs[spec.id] == spec else { return false }
            registry.instances[spec.id] = live
            return true
        }
        guard added else { return }
        guard spec.isEnabled else { return publish(live) }
        guard let runtime else { return }
        var initial: [(Int, Bool, JSONValue?)] = []
        var tokens: [Int] = []
        var problems: [String] = []
        for (index, left, reference) in spec.definition.statusSides {
            let subscription = runtime.subscribe(system: spec.systemID, name: reference.name, index: reference.index, key: reference.status) {
                [weak self, weak live] value in
                guard let self, let live else { return }
                self.handle(live.deliver(comparison: index, left: left, value: value, initial: false, at: Date()), of: live)
            }
            switch subscription {
            case .success(let (token, value)):
                tokens.append(token)
                initial.append((index, left, value))
            case .failure(let error):
                problems.append("comparison_\(index): \(error.message)")
            }
        }
        let stillRunning = live.inner.withLock { inner in
            inner.tokens = tokens
            inner.bindingProblems = problems
            return !inner.stopped
        }
        guard stillRunning else {
            for token in tokens { runtime.unsubscribe(token) }
            return
        }
        let now = Date()
        for (index, left, value) in initial {
            handle(live.deliver(comparison: index, left: left, value: value, initial: true, at: now), of: live)
        }
        handle(live.evaluateConstants(at: now), of: live)
        for (index, condition) in spec.definition.timeConditions.enumerated() where condition.isPulse {
            schedulePulse(index, of: live, after: now)
        }
        checkActions(of: live)
        publish(live)
    }

    private func stop(_ live: LiveTriggerInstance) {
        let tokens = live.inner.withLock { inner in
            inner.stopped = true
            defer { inner.tokens = [] }
            return inner.tokens
        }
        guard let runtime else { return }
        for token in tokens { runtime.unsubscribe(token) }
    }

    /// Stops every instance and saves the state file (the runtime's shutdown calls it).
    func shutdown() {
        saveTimer?.cancel()
        let instances = registry.withLock { registry in
            registry.closed = true
            return Array(registry.instances.values)
        }
        for live in instances { stop(live) }
        save(force: true, instances: instances)
    }

    // MARK: - Inputs, timers and firing

    /// Does what an input asked for: schedule a tick, run the actions, tell watchers.
    func handle(_ outcome: LiveTriggerInstance.Outcome, of live: LiveTriggerInstance) {
        if let deadline = outcome.schedule {
            let delay = max(0, deadline.timeIntervalSinceNow) + 0.001
            DispatchQueue.global().asyncAfter(deadline: .now() + delay) { [weak self, weak live] in
                guard let self, let live else { return }
                self.handle(live.tick(scheduledFor: deadline, at: Date()), of: live)
            }
        }
        if outcome.fire { runActions(of: live, manual: false) }
        if outcome.changed {
            registry.withLock { $0.dirty = true }
            publish(live)
        }
    }

    /// Schedules the next `at`/`cron` pulse of a time condition (on the wall clock).
    private func schedulePulse(_ index: Int, of live: LiveTriggerInstance, after date: Date) {
        guard let next = live.definition.timeConditions[index].nextPulse(after: date) else { return }
        DispatchQueue.global().asyncAfter(wallDeadline: .now() + max(0, next.timeIntervalSinceNow)) { [weak self, weak live] in
            guard let self, let live, !live.isStopped else { return }
            self.handle(live.pulse(.time(index), at: max(Date(), next)), of: live)
            self.schedulePulse(index, of: live, after: next)
        }
    }

    // MARK: - Watchers and the state file

    func publish(_ live: LiveTriggerInstance) {
        let watchers: [StateWatcher] = registry.withLock { registry in
            Array((registry.watchers[live.spec.id] ?? [:]).values) + Array(registry.allWatchers.values)
        }
        guard !watchers.isEmpty else { return }
        let state = live.state(at: Date())
        for watcher in watchers { watcher(state) }
    }

    /// Writes the counters of every instance when something changed since the last save.
    func save(force: Bool = false, instances given: [LiveTriggerInstance]? = nil) {
        guard let stateFile else { return }
        let instances: [LiveTriggerInstance]? = registry.withLock { registry in
            guard registry.dirty || force else { return nil }
            registry.dirty = false
            return given ?? Array(registry.instances.values)
        }
        guard let instances else { return }
        var entries: [String: TriggerStateFile.Entry] = [:]
        for live in instances { entries[live.spec.id] = live.savedState }
        do { try stateFile.save(entries) } catch { log("triggers: \(error)") }
    }
}
