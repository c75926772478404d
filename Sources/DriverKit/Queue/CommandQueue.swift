/// The per-module command queue (PlaceOS semantics, `docs/driverkit.md`):
/// priority (higher first), a timeout and retries per command, wait-for-response, a delay
/// between commands, named commands replacing queued ones of the same name, and going offline
/// aborting unnamed commands while named ones wait for the connection to return.
@DriverActor
public final class CommandQueue {
    private final class Entry {
        var command: QueuedCommand
        var waiters: [Completion]
        /// When the response to the attempt on the wire is due.
        var deadline: ContinuousClock.Instant?
        init(command: QueuedCommand, waiter: @escaping Completion) {
            self.command = command
            self.waiters = [waiter]
        }
    }

    /// Writes a payload to the device; throwing counts as the device being offline.
    var transmit: (([UInt8]) throws -> Void)?
    /// Asked for the response verdict of a frame.
    var judge: (([UInt8], QueuedCommand?) -> ResponseVerdict)?
    /// Called when a command is queued while offline and the transport can connect on demand.
    var wantsConnection: (() -> Void)?
    /// Make-break transports connect on demand, so commands are accepted while disconnected.
    var connectsOnDemand = false

    public private(set) var online = false
    private var pending: [Entry] = []
    private var current: Entry?
    private var nextID = 1
    private var pausedUntilDelay = false
    /// The one alarm that enforces response timeouts, and when it rings. It is not cancelled
    /// when a response arrives: on ringing it fails the command on the wire if that one is late,
    /// else is set again for its deadline, else ends. It waits in the process's one timer
    /// (`ScheduleTimer`), so a queue between commands holds no sleeping task (a task per
    /// command, then one per queue, kept about 2.4 KB per device module alive).
    private var timer: (alarm: Scheduler.Handle, ringsAt: ContinuousClock.Instant)?
    private var alarms: Scheduler?

    public init() {}

    /// Commands waiting to be sent (not counting the one awaiting a response).
    public var waiting: Int { pending.count }
    public var isIdle: Bool { pending.isEmpty && current == nil && !pausedUntilDelay }
    public var currentCommand: QueuedCommand? { current?.command }

    /// Called once with a command's outcome.
    public typealias Completion = @DriverActor (Result<JSON, DriverError>) -> Void

    /// Queues `payload` and waits for its outcome.
    public func send(_ payload: [UInt8], options: CommandOptions = CommandOptions(), tag: String? = nil) async throws -> JSON {
        try await withCheckedThrowingContinuation { waiter in
            enqueue(payload, options: options, tag: tag) { waiter.resume(with: $0.mapError { $0 as any Error }) }
        }
    }

    /// Queues `payload`; `completion` runs once with the outcome (at once when offline and unnamed).
    public func enqueue(_ payload: [UInt8], options: CommandOptions = CommandOptions(), tag: String? = nil,
                        completion waiter: @escaping Completion) {
        if !online, !connectsOnDemand, options.name == nil {
            waiter(.failure(DriverError(.offline, "the device is not connected")))
            return
        }
        let command = QueuedCommand(id: nextID, payload: payload, options: options, tag: tag)
        nextID += 1
        let entry = Entry(command: command, waiter: waiter)
        if let name = options.name, let index = pending.firstIndex(where: { $0.command.options.name == name }) {
            // The newer command takes the old one's place; its callers share the outcome.
            entry.waiters.insert(contentsOf: pending[index].waiters, at: 0)
            pending.remove(at: index)
        }
        let index = pending.firstIndex(where: { $0.command.options.priority < options.priority }) ?? pending.count
        pending.insert(entry, at: index)
        if !online { wantsConnection?() }
        pump()
    }

    /// The transport connected or disconnected.
    public func setOnline(_ isOnline: Bool) {
        guard online != isOnline else { return }
        online = isOnline
        if isOnline {
            pump()
            return
        }
        if let entry = current {
            current = nil
            if entry.command.options.name != nil {
                entry.command.attempt = 0
                pending.insert(entry, at: pending.firstIndex(where: { $0.command.options.priority < entry.command.options.priority }) ?? pending.count)
            } else {
                finish(entry, .failure(DriverError(.offline, "the device disconnected")))
            }
        }
        let aborted = pending.filter { $0.command.options.name == nil }
        pending.removeAll { $0.command.options.name == nil }
        for entry in aborted { finish(entry, .failure(DriverError(.offline, "the device disconnected"))) }
    }

    /// A frame arrived from the device.
    public func received(_ frame: [UInt8]) {
        let verdict = judge?(frame, current?.command) ?? .ignore
        guard let entry = current else { return }
        switch verdict {
        case .ignore: return
        case .success(let value): complete(entry, .success(value))
        case .failure(let message): complete(entry, .failure(DriverError(.failed, message)))
        case .retry: retryOrFail(entry, DriverError(.failed, "the device asked for a retry too often"))
        }
    }

    /// Fails every command (the module stops).
    public func abortAll(_ error: DriverError) {
        let all = (current.map { [$0] } ?? []) + pending
        current = nil
        pending = []
        for entry in all { finish(entry, .failure(error)) }
    }

    private func pump() {
        guard current == nil, !pausedUntilDelay, online, !pending.isEmpty else { return }
        let entry = pending.removeFirst()
        current = entry
        transmitCurrent(entry)
    }

    private func transmitCurrent(_ entry: Entry) {
        entry.command.attempt += 1
        do {
            try transmit?(entry.command.payload)
        } catch {
            current = nil
            finish(entry, .failure(DriverError(.offline, "could not write to the device: \(error)")))
            pump()
            return
        }
        guard entry.command.options.waitForResponse else {
            complete(entry, .success(.null))
            return
        }
        let deadline = ContinuousClock.now + entry.command.options.timeout
        entry.deadline = deadline
        armTimer(for: deadline)
    }

    /// Makes sure the alarm rings at `deadline` or before.
    private func armTimer(for deadline: ContinuousClock.Instant) {
        if let timer, timer.ringsAt <= deadline { return }
        let alarms = self.alarms ?? Scheduler()
        self.alarms = alarms
        if let timer { alarms.cancel(timer.alarm) }
        let alarm = alarms.after(deadline - .now) { [weak self] in self?.timerWoke() }
        timer = (alarm, deadline)
    }

    private func timerWoke() {
        timer = nil
        guard let entry = current, let deadline = entry.deadline else { return }
        if ContinuousClock.now < deadline { return armTimer(for: deadline) }
        entry.deadline = nil
        retryOrFail(entry, DriverError(.timeout, "no response within \(entry.command.options.timeout)"))
    }

    private func retryOrFail(_ entry: Entry, _ error: DriverError) {
        if entry.command.attempt <= entry.command.options.retries, online {
            transmitCurrent(entry)
        } else {
            complete(entry, .failure(error))
        }
    }

    private func complete(_ entry: Entry, _ outcome: Result<JSON, DriverError>) {
        current = nil
        entry.deadline = nil
        finish(entry, outcome)
        let delay = entry.command.options.delay
        if delay > .zero {
            pausedUntilDelay = true
            Task { [weak self] in
                try? await Task.sleep(for: delay)
                guard let self else { return }
                self.pausedUntilDelay = false
                self.pump()
            }
        } else {
            pump()
        }
    }

    private func finish(_ entry: Entry, _ outcome: Result<JSON, DriverError>) {
        for waiter in entry.waiters { waiter(outcome) }
        entry.waiters = []
    }
}
