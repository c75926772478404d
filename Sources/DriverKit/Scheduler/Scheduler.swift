import Foundation

/// A module's timers: `every`, `after` (PlaceOS `in`), `at` and `cron`. Everything is cancelled
/// when the module stops. A body that throws is logged and the schedule carries on.
///
/// A repeating task (`every`) is how drivers poll: when one fails `degradedAfter` times in a
/// row the scheduler says so through `degraded` (the module's context sets the `degraded`
/// status with the last error), and says it is over at the task's next success.
@DriverActor
public final class Scheduler {
    /// Identifies one schedule, for `cancel`.
    public struct Handle: Hashable, Sendable { let id: Int }

    /// Consecutive failed runs of one repeating task after which the module counts as degraded.
    public static let degradedAfter = 3

    private var tasks: [Int: Task<Void, Never>] = [:]
    private var nextID = 1
    private let logger: Logger?
    /// Per repeating task that fails now: how many runs in a row and the last error.
    private var failing: [Int: (runs: Int, error: String)] = [:]
    private var reportedReason: String?
    /// Told the degraded reason when it changes, nil when no repeating task fails enough any more.
    private let degraded: (@DriverActor (_ reason: String?) -> Void)?

    init(logger: Logger?, degraded: (@DriverActor (_ reason: String?) -> Void)? = nil) {
        self.logger = logger
        self.degraded = degraded
    }

    /// A scheduler not tied to a module (tests).
    public convenience init() { self.init(logger: nil) }

    public var activeCount: Int { tasks.count }

    /// Runs `body` every `interval` (first run after one interval, or at once with `immediately`).
    @discardableResult
    public func every(_ interval: Duration, immediately: Bool = false,
                      _ body: @escaping @DriverActor () async throws -> Void) -> Handle {
        let id = nextID
        return add { [weak self] in
            if immediately { await self?.runRepeating(id, body) }
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                if Task.isCancelled { return }
                await self?.runRepeating(id, body)
            }
        }
    }

    /// Runs `body` once after `delay`.
    @discardableResult
    public func after(_ delay: Duration, _ body: @escaping @DriverActor () async throws -> Void) -> Handle {
        let id = nextID
        return add { [weak self] in
            try? await Task.sleep(for: delay)
            if Task.isCancelled { return }
            await self?.run(body)
            self?.tasks[id] = nil
        }
    }

    /// Runs `body` once at `date` (at once if it has passed).
    @discardableResult
    public func at(_ date: Date, _ body: @escaping @DriverActor () async throws -> Void) -> Handle {
        after(.milliseconds(max(0, Int(date.timeIntervalSinceNow * 1000))), body)
    }

    /// Runs `body` at each time the cron expression names, in `timeZone`.
    @discardableResult
    public func cron(_ expression: String, timeZone: TimeZone = .current,
                     _ body: @escaping @DriverActor () async throws -> Void) throws(CronError) -> Handle {
        let cron = try CronExpression(expression, timeZone: timeZone)
        return add { [weak self] in
            var last = Date()
            while !Task.isCancelled, let next = cron.next(after: last) {
                let wait = next.timeIntervalSinceNow
                if wait > 0 { try? await Task.sleep(for: .milliseconds(Int(wait * 1000) + 1)) }
                if Task.isCancelled { return }
                await self?.run(body)
                last = next
            }
        }
    }

    public func cancel(_ handle: Handle) {
        tasks.removeValue(forKey: handle.id)?.cancel()
        failing[handle.id] = nil
        reportDegraded()
    }

    public func cancelAll() {
        for task in tasks.values { task.cancel() }
        tasks = [:]
        failing = [:]
        reportDegraded()
    }

    private func add(_ work: @escaping @DriverActor () async -> Void) -> Handle {
        let handle = Handle(id: nextID)
        nextID += 1
        tasks[handle.id] = Task { await work() }
        return handle
    }

    private func run(_ body: @DriverActor () async throws -> Void) async {
        do { try await body() } catch { logger?.warning("scheduled task failed: \(error)") }
    }

    /// One run of a repeating task, counting its failures in a row.
    private func runRepeating(_ id: Int, _ body: @DriverActor () async throws -> Void) async {
        do {
            try await body()
            failing[id] = nil
        } catch {
            logger?.warning("scheduled task failed: \(error)")
            guard tasks[id] != nil else { return }
            failing[id] = ((failing[id]?.runs ?? 0) + 1, error.message)
        }
        reportDegraded()
    }

    /// Tells `degraded` when the reason changes: the last error of a task failing
    /// `degradedAfter` times in a row or more (the lowest id when several do).
    private func reportDegraded() {
        let worst = failing.filter { $0.value.runs >= Self.degradedAfter }.min { $0.key < $1.key }?.value
        let reason = worst.map { "\($0.error) (\(Self.degradedAfter) or more polls in a row failed)" }
        guard reason != reportedReason else { return }
        reportedReason = reason
        degraded?(reason)
    }
}
