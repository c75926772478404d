import ConfigRepo
import Dispatch
import Foundation
import Synchronization

/// Runs one driver binary as one process that hosts every module of that driver on this node
/// (driver protocol §2): starts it, sends `start` for each module once it is `ready`, matches
/// replies to requests by `seq` with a timeout on each, checks liveness with `info`, and
/// restarts a process that dies or hangs (with back-off), starting its modules again.
final class DriverHost: Sendable {
    /// How the host reports to the engine. Called on reader threads; must not block.
    struct Callbacks: Sendable {
        var status: @Sendable (_ module: String, _ key: String, _ value: JSONValue) -> Void
        /// A log line for one module, or for every module of the process when `module` is nil.
        var log: @Sendable (_ modules: [String], _ level: String, _ message: String) -> Void
        /// A driver → core request (`exec`, `subscribe`, `setting`); the answer goes back as `result`.
        var request: @Sendable (_ message: [String: JSONValue]) async -> Result<JSONValue, RuntimeError>
        var unsubscribe: @Sendable (_ module: String, _ subscription: Int) -> Void
        /// A module's run state changed.
        var stateChanged: @Sendable (_ module: String, _ state: ModuleRunState) -> Void
        var metadata: @Sendable (_ metadata: DriverMetadata) -> Void
    }

    typealias Completion = @Sendable (Result<JSONValue, RuntimeError>) -> Void

    /// A request waiting for its `result`; the timeout's message is written only if it passes.
    private struct Pending {
        var completion: Completion
        /// `DispatchTime` uptime nanoseconds.
        var deadline: UInt64
        /// The method (`exec`) or the request type, for the timeout's message.
        var what: String
        var seconds: Double
    }

    private struct Hosted {
        var config: JSONValue
        var state: ModuleRunState
        var debugging = false
        /// Counts `start`s so a late reply to an older one is ignored.
        var startNumber = 0
        /// The config changed while `start` was in flight: send `update` once it succeeds.
        var updateAfterStart = false
    }

    private struct State {
        var process: DriverProcess?
        var generation = 0
        var ready = false
        var spawnedAt = Date.distantPast
        var restartDelay: Double
        var restartPending = false
        var modules: [String: Hosted] = [:]
        var pending: [Int: Pending] = [:]
        /// When `deadlines` fires next (UInt64.max: not armed). Never later than any pending deadline.
        var armedDeadline = UInt64.max
        var nextSeq = 1
        var closed = false
        var metadata: DriverMetadata?
        var restarts = 0
    }

    let executable: String
    let timing: DriverHostTiming
    private let callbacks: Callbacks
    private let state: Mutex<State>
    nonisolated(unsafe) private let timer: any DispatchSourceTimer
    /// One timer for every request's timeout, armed at the earliest deadline (a timer per request
    /// cost a dispatch source each: 200,000 live ones at 20,000 exec/s with 10 s timeouts).
    nonisolated(unsafe) private let deadlines: any DispatchSourceTimer

    init(executable: String, timing: DriverHostTiming, callbacks: Callbacks) {
        self.executable = executable
        self.timing = timing
        self.callbacks = callbacks
        state = Mutex(State(restartDelay: timing.firstRestartDelay))
        timer = DispatchSource.makeTimerSource(queue: .global())
        deadlines = DispatchSource.makeTimerSource(queue: .global())
        timer.schedule(deadline: .now() + timing.livenessInterval, repeating: timing.livenessInterval)
        timer.setEventHandler { [weak self] in self?.checkLiveness() }
        timer.resume()
        deadlines.setEventHandler { [weak self] in self?.expireRequests() }
        deadlines.resume()
    }

    deinit {
        timer.cancel()
        deadlines.cancel()
    }

    // MARK: - Queries

    var metadata: DriverMetadata? { state.withLock { $0.metadata } }
    var pid: Int32? { state.withLock { $0.process?.pid } }
    var moduleIDs: [String] { state.withLock { $0.modules.keys.sorted() } }
    var restartCount: Int { state.withLock { $0.restarts } }

    func runState(of module: String) -> ModuleRunState? {
        state.withLock { $0.modules[module]?.state }
    }

    // MARK: - Modules

    /// Starts hosting `module` (spawning the process if needed) and sends `start`; `debugging`:
    /// someone watches its debug lines (sent before `start`, so its first lines are forwarded).
    func start(module: String, config: JSONValue, debugging: Bool = false) {
        let spawn: Bool = state.withLock { state in
            state.modules[module] = Hosted(config: config, state: .starting,
                                           debugging: debugging || (state.modules[module]?.debugging ?? false))
            return state.process == nil && !state.restartPending && !state.closed
        }
        callbacks.stateChanged(module, .starting)
        if spawn { spawnProcess() } else { sendStart(module) }
    }

    /// New config for a hosted module: `update` (the driver restarts it when a connection field changed).
    func update(module: String, config: JSONValue) {
        guard case .object = config else { return }
        let send: Bool = state.withLock { state in
            guard state.modules[module] != nil else { return false }
            state.modules[module]!.config = config
            if state.modules[module]!.state == .starting { state.modules[module]!.updateAfterStart = true }
            return state.ready && state.modules[module]!.state == .running
        }
        guard send else { return }
        request(["type": "update", "module": .string(module), "config": config], timeout: timing.lifecycleTimeout) { [callbacks] result in
            if case .failure(let error) = result {
                callbacks.log([module], "error", "update failed: \(error.message)")
            }
        }
    }

    /// Stops hosting `module`; the last module's process is terminated.
    func stop(module: String) {
        let (wasHosted, sendStop, last): (Bool, Bool, Bool) = state.withLock { state in
            guard let hosted = state.modules.removeValue(forKey: module) else { return (false, false, false) }
            return (true, state.ready, state.modules.isEmpty)
        }
        guard wasHosted else { return }
        callbacks.stateChanged(module, .stopped)
        if sendStop {
            request(["type": "stop", "module": .string(module)], timeout: timing.lifecycleTimeout) { _ in }
        }
        if last { terminateIdleProcess() }
    }

    /// Starts or stops forwarding the module's debug log lines.
    func setDebugging(module: String, _ on: Bool) {
        let process: DriverProcess? = state.withLock { state in
            guard state.modules[module] != nil else { return nil }
            state.modules[module]!.debugging = on
            return state.ready ? state.process : nil
        }
        process?.send(.object(["type": .string(on ? "debug" : "ignore"), "module": .string(module)]))
    }

    /// Calls a function; answers within `timeout` whatever the driver does.
    func exec(module: String, method: String, args: JSONValue, timeout: Double?, userID: String?) async -> Result<JSONValue, RuntimeError> {
        await withCheckedContinuation { continuation in
            exec(module: module, method: method, args: args, timeout: timeout, userID: userID) { continuation.resume(returning: $0) }
        }
    }

    /// Calls a function; `completion` runs exactly once, within `timeout` whatever the driver does,
    /// on the thread that has the answer (no task is started for the call).
    func exec(module: String, method: String, args: JSONValue, timeout: Double?, userID: String?,
              completion: @escaping Completion) {
        let refusal: RuntimeError? = state.withLock { state in
            guard let hosted = state.modules[module] else { return .unknownModule(module) }
            switch hosted.state {
            case .running: return nil
            case .starting: return .notRunning(module, state.ready ? "it is starting" : "its driver process is starting")
            case .failed(let message): return .notRunning(module, "it failed to start: \(message)")
            case .stopped: return .notRunning(module, "it is stopped")
            }
        }
        if let refusal { return completion(.failure(refusal)) }
        let seconds = timeout ?? timing.execTimeout
        var message: [String: JSONValue] = ["type": "exec", "module": .string(module), "method": .string(method), "args": args,
                                            "timeout_ms": .int(Int(seconds * 1000))]
        if let userID { message["user_id"] = .string(userID) }
        request(message, timeout: seconds, what: method, completion)
    }

    /// Sends a `status` message for a subscription the module holds.
    func deliver(subscription: Int, module: String, key: String, value: JSONValue) {
        let process: DriverProcess? = state.withLock { $0.ready && $0.modules[module] != nil ? $0.process : nil }
        process?.send(.object(["type": "status", "subscription": .int(subscription), "module": .string(module),
                               "key": .string(key), "value": value]))
    }

    /// Ends the process for good: `terminate`, then SIGKILL after the grace period.
    func shutdown() async {
        let process: DriverProcess? = state.withLock { state in
            state.closed = true
            state.modules.removeAll()
            return state.process
        }
        timer.cancel()
        deadlines.cancel()
        guard let process else { return }
        process.send(.object(["type": "terminate"]))
        process.closeInput()
        let deadline = Date().addingTimeInterval(timing.terminateGrace)
        while Date() < deadline, state.withLock({ $0.process != nil }) {
            try? await Task.sleep(for: .milliseconds(20))
        }
        process.kill()
    }

    /// SIGKILLs the current process (tests, benchmarks); it is restarted as after a crash.
    func killProcess() {
        state.withLock { $0.process }?.kill()
    }

    // MARK: - Requests

    /// Sends a request with a fresh `seq`; `completion` gets its result, `timeout`, or
    /// `driver_crashed`, exactly once. `what` names it in the timeout's message (default: its type).
    private func request(_ fields: [String: JSONValue], timeout: Double, what: String? = nil,
                         _ completion: @escaping Completion) {
        let deadline = DispatchTime.now().uptimeNanoseconds &+ UInt64(min(max(0, timeout), 1e6) * 1e9)
        let sent: (DriverProcess, Int)? = state.withLock { state in
            guard let process = state.process, state.ready else { return nil }
            let seq = state.nextSeq
            state.nextSeq += 1
            state.pending[seq] = Pending(completion: completion, deadline: deadline,
                                         what: what ?? fields["type"]?.stringValue ?? "a request", seconds: timeout)
            if deadline < state.armedDeadline {
                // Under the lock, so two callers cannot leave the timer armed at the later deadline.
                state.armedDeadline = deadline
                deadlines.schedule(deadline: DispatchTime(uptimeNanoseconds: deadline))
            }
            return (process, seq)
        }
        guard let (process, seq) = sent else {
            completion(.failure(RuntimeError(code: "not_running", message: "the driver process is not running")))
            return
        }
        var message = fields
        message["seq"] = .int(seq)
        process.send(.object(message))
    }

    /// The deadline timer fired: answer the requests whose time is up, arm it for the next one.
    private func expireRequests() {
        let now = DispatchTime.now().uptimeNanoseconds
        let expired: [Pending] = state.withLock { state in
            let due = state.pending.filter { $0.value.deadline <= now }
            for seq in due.keys { state.pending[seq] = nil }
            state.armedDeadline = state.pending.values.map(\.deadline).min() ?? .max
            if state.armedDeadline != .max {
                deadlines.schedule(deadline: DispatchTime(uptimeNanoseconds: state.armedDeadline))
            }
            return Array(due.values)
        }
        for request in expired {
            request.completion(.failure(RuntimeError(code: "timeout",
                                                     message: "the driver did not answer \(request.what) within \(Self.format(request.seconds)) s")))
        }
    }

    private func sendStart(_ module: String) {
        let start: (JSONValue, Int, DriverProcess?)? = state.withLock { state in
            guard state.ready, var hosted = state.modules[module] else { return nil }
            hosted.startNumber += 1
            hosted.state = .starting
            hosted.updateAfterStart = false
            state.modules[module] = hosted
            return (hosted.config, hosted.startNumber, hosted.debugging ? state.process : nil)
        }
        guard let (config, number, debugged) = start else { return }
        debugged?.send(.object(["type": "debug", "module": .string(module)]))
        request(["type": "start", "module": .string(module), "config": config], timeout: timing.lifecycleTimeout) { [weak self] result in
            self?.started(module, number: number, result)
        }
    }

    private func started(_ module: String, number: Int, _ result: Result<JSONValue, RuntimeError>) {
        let (newState, debugging, process, resend): (ModuleRunState?, Bool, DriverProcess?, JSONValue?) = state.withLock { state in
            guard var hosted = state.modules[module], hosted.startNumber == number, hosted.state == .starting else { return (nil, false, nil, nil) }
            switch result {
            case .success: hosted.state = .running
            case .failure(let error) where error.code == "not_running": return (nil, false, nil, nil)  // process died; restarted later
            case .failure(let error): hosted.state = .failed(error.message)
            }
            // Not a ternary with `nil`: JSONValue is ExpressibleByNilLiteral, so `nil` would become `.null`.
            var resend = Optional<JSONValue>.none
            if hosted.updateAfterStart && hosted.state == .running { resend = .some(hosted.config) }
            hosted.updateAfterStart = false
            state.modules[module] = hosted
            return (hosted.state, hosted.debugging, state.process, resend)
        }
        guard let newState else { return }
        if let resend { update(module: module, config: resend) }
        if debugging, newState == .running {
            process?.send(.object(["type": "debug", "module": .string(module)]))
        }
        if case .failed(let message) = newState {
            callbacks.log([module], "error", "start failed: \(message)")
        }
        callbacks.stateChanged(module, newState)
    }

    // MARK: - Process life

    private func spawnProcess() {
        let generation: Int? = state.withLock { state in
            guard state.process == nil, !state.closed, !state.modules.isEmpty else { return nil }
            state.generation += 1
            state.restartPending = false
            state.ready = false
            return state.generation
        }
        guard let generation else { return }
        do {
            let process = try DriverProcess(executable: executable) { [weak self] event in
                self?.handle(event, generation: generation)
            }
            state.withLock { state in
                state.process = process
                state.spawnedAt = Date()
            }
            DispatchQueue.global().asyncAfter(deadline: .now() + timing.readyTimeout) { [weak self] in
                guard let self else { return }
                let stale: DriverProcess? = self.state.withLock { $0.generation == generation && !$0.ready ? $0.process : nil }
                if let stale {
                    self.callbacks.log(self.moduleIDs, "error", "the driver did not say ready within \(Self.format(self.timing.readyTimeout)) s; killing it")
                    stale.kill()
                }
            }
        } catch {
            let modules: [String] = state.withLock { state in
                let ids = Array(state.modules.keys)
                for id in ids { state.modules[id]!.state = .failed("cannot run \(executable): \(error)") }
                return ids
            }
            for module in modules { callbacks.stateChanged(module, .failed("cannot run \(executable): \(error)")) }
            scheduleRestart(after: nil)
        }
    }

    private func handle(_ event: DriverProcess.Event, generation: Int) {
        guard state.withLock({ $0.generation == generation }) else { return }
        switch event {
        case .message(let message): handle(message)
        case .protocolError(let text): callbacks.log(moduleIDs, "error", "protocol error: \(text)")
        case .stderrLine(let line): callbacks.log(moduleIDs, "info", line)
        case .exited(let status): exited(status: status)
        }
    }

    private func handle(_ message: [String: JSONValue]) {
        let type = message["type"]?.stringValue ?? ""
        let ready = state.withLock { $0.ready }
        if !ready && type != "ready" {
            callbacks.log(moduleIDs, "error", "protocol error: \(type.isEmpty ? "a message without type" : "`\(type)`") before `ready`")
            return
        }
        switch type {
        case "ready":
            guard !ready else { return callbacks.log(moduleIDs, "error", "protocol error: a second `ready`") }
            let metadata = DriverMetadata(json: message["metadata"] ?? .object([:]))
            let modules: [String] = state.withLock { state in
                state.ready = true
                state.metadata = metadata
                return state.modules.keys.sorted()
            }
            callbacks.metadata(metadata)
            for module in modules { sendStart(module) }
        case "result":
            guard let seq = message["seq"]?.intValue else {
                return callbacks.log(moduleIDs, "error", "protocol error: a `result` without `seq`")
            }
            guard let completion = state.withLock({ $0.pending.removeValue(forKey: seq)?.completion }) else { return }
            if message["ok"]?.boolValue == true {
                completion(.success(message["value"] ?? .null))
            } else {
                completion(.failure(RuntimeError.fromProtocol(message["error"])))
            }
        case "status":
            guard let module = message["module"]?.stringValue, let key = message["key"]?.stringValue else {
                return callbacks.log(moduleIDs, "error", "protocol error: a `status` without `module` or `key`")
            }
            guard state.withLock({ $0.modules[module] != nil }) else { return }
            callbacks.status(module, key, message["value"] ?? .null)
        case "log":
            let module = message["module"]?.stringValue
            callbacks.log(module.map { [$0] } ?? moduleIDs, message["level"]?.stringValue ?? "info",
                          message["message"]?.stringValue ?? "")
        case "exec", "subscribe", "setting":
            guard let seq = message["seq"]?.intValue else {
                return callbacks.log(moduleIDs, "error", "protocol error: `\(type)` without `seq`")
            }
            let generation = state.withLock { $0.generation }
            Task { [callbacks] in
                let result = await callbacks.request(message)
                self.reply(seq: seq, result, generation: generation)
            }
        case "unsubscribe":
            if let module = message["module"]?.stringValue, let subscription = message["subscription"]?.intValue {
                callbacks.unsubscribe(module, subscription)
            }
        default:
            callbacks.log(moduleIDs, "error", "protocol error: unknown message type `\(type)`")
            if let seq = message["seq"]?.intValue {
                reply(seq: seq, .failure(RuntimeError(code: "bad_request", message: "unknown message type `\(type)`")),
                      generation: state.withLock { $0.generation })
            }
        }
    }

    private func reply(seq: Int, _ result: Result<JSONValue, RuntimeError>, generation: Int) {
        guard let process = state.withLock({ $0.generation == generation ? $0.process : nil }) else { return }
        switch result {
        case .success(let value):
            process.send(.object(["type": "result", "seq": .int(seq), "ok": true, "value": value]))
        case .failure(let error):
            process.send(.object(["type": "result", "seq": .int(seq), "ok": false, "error": error.json]))
        }
    }

    private func exited(status: Int32) {
        let (pending, affected, closed, upFor): ([Completion], [String], Bool, Double) = state.withLock { state in
            let pending = state.pending.values.map(\.completion)
            state.pending.removeAll()
            state.process = nil
            state.ready = false
            var affected: [String] = []
            for (id, hosted) in state.modules {
                if hosted.state == .running || hosted.state == .starting {
                    state.modules[id]!.state = .starting
                    affected.append(id)
                }
            }
            return (pending, affected.sorted(), state.closed, Date().timeIntervalSince(state.spawnedAt))
        }
        let crash = RuntimeError(code: "driver_crashed", message: "the driver process exited (status \(status)) with the request in flight")
        for completion in pending { completion(.failure(crash)) }
        guard !closed else { return }
        for module in affected { callbacks.stateChanged(module, .starting) }
        scheduleRestart(after: upFor, status: status)
    }

    private func scheduleRestart(after upFor: Double?, status: Int32? = nil) {
        let plan: (Double, [String])? = state.withLock { state in
            guard !state.closed, !state.modules.isEmpty, !state.restartPending else { return nil }
            if let upFor, upFor >= timing.stableAfter { state.restartDelay = timing.firstRestartDelay }
            let delay = state.restartDelay
            state.restartDelay = min(state.restartDelay * 2, timing.maximumRestartDelay)
            state.restartPending = true
            state.restarts += 1
            return (delay, state.modules.keys.sorted())
        }
        guard let (delay, modules) = plan else { return }
        let why = status.map { "the driver process exited with status \($0)" } ?? "the driver could not be started"
        callbacks.log(modules, "warning", "\(why); restarting it in \(Self.format(delay)) s")
        DispatchQueue.global().asyncAfter(deadline: .now() + delay) { [weak self] in
            guard let self else { return }
            self.state.withLock { $0.restartPending = false }
            self.spawnProcess()
        }
    }

    /// The last module left: end the process (it is started again with the next module).
    private func terminateIdleProcess() {
        let process: DriverProcess? = state.withLock { state in
            guard state.modules.isEmpty, let process = state.process else { return nil }
            state.process = nil
            state.ready = false
            state.generation += 1  // its exit is not a crash
            return process
        }
        guard let process else { return }
        process.send(.object(["type": "terminate"]))
        process.closeInput()
        DispatchQueue.global().asyncAfter(deadline: .now() + timing.terminateGrace) { process.kill() }
    }

    private func checkLiveness() {
        let current: (DriverProcess, Int)? = state.withLock { state in
            guard state.ready, let process = state.process else { return nil }
            return (process, state.generation)
        }
        guard let (process, generation) = current else { return }
        request(["type": "info"], timeout: timing.livenessTimeout) { [weak self] result in
            guard let self, case .failure(let error) = result, error.code == "timeout" else { return }
            guard self.state.withLock({ $0.generation == generation }) else { return }
            self.callbacks.log(self.moduleIDs, "error", "the driver did not answer `info` within \(Self.format(self.timing.livenessTimeout)) s; killing it")
            process.kill()
        }
    }

    static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
    }
}
