import Foundation

/// A module's timers: `every`, `after` (PlaceOS `in`), `at` and `cron`. Everything is cancelled
/// when the module stops. A body that throws is logged and the schedule carries on. A repeating
/// task's runs never overlap: the next run is due one interval after the last one ended.
///
/// The schedules of every module wait in the process's one ``ScheduleTimer``; a run is a task
/// only while it runs.
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

    private var works: [Int: ScheduledWork] = [:]
    private var nextID = 1
    private let logger: Logger?
    /// Per repeating task that fails now: how many runs in a row and the last error.
    private var failing: [Int: (runs: Int, error: String)] = [:]
    private var reportedReason: String?
    /// Told the degraded reason when it changes, nil when no repeating task fails enough any more.
    private let degraded: (@DriverActor (_ reason: String?) -> Void)?
    /// The process's timer (tests give one of their own).
    private let timer: ScheduleTimer

    init(logger: Logger?, timer: ScheduleTimer = .shared, degraded: (@DriverActor (_ reason: String?) -> Void)? = nil) {
        self.logger = logger
        self.timer = timer
        self.degraded = degraded
    }

    /// A scheduler not tied to a module (tests).
    public convenience init() { self.init(logger: nil) }

    /// Schedules not yet finished or cancelled.
    public var activeCount: Int { works.count }

    /// Runs `body` every `interval` (first run after one interval, or at once with `immediately`).
    @discardableResult
    public func every(_ interval: Duration, immediately: Bool = false,
                      _ body: @escaping @DriverActor () async throws -> Void) -> Handle {
        let work = add(.every(interval), body)
        timer.add(work, at: immediately ? .now : .now + interval)
        return Handle(id: work.id)
    }

    /// Runs `body` once after `delay`.
    @discardableResult
    public func after(_ delay: Duration, _ body: @escaping @DriverActor () async throws -> Void) -> Handle {
        let work = add(.once, body)
        timer.add(work, at: .now + delay)
        return Handle(id: work.id)
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
        let work = add(.cron(cron, last: Date()), body)
        scheduleNextCronRun(work)
        return Handle(id: work.id)
    }

    public func cancel(_ handle: Handle) {
        works.removeValue(forKey: handle.id)?.cancel()
        failing[handle.id] = nil
        reportDegraded()
    }

    public func cancelAll() {
        for work in works.values { work.cancel() }
        works = [:]
        failing = [:]
        reportDegraded()
    }

    private func add(_ repeats: ScheduledWork.Repeat, _ body: @escaping @DriverActor () async throws -> Void) -> ScheduledWork {
        let work = ScheduledWork(id: nextID, repeats: repeats, scheduler: self, timer: timer, body: body)
        nextID += 1
        works[work.id] = work
        return work
    }

    /// `work` is due: runs it in a task of its own, then puts it back in the timer or retires it.
    func start(_ work: ScheduledWork) {
        work.run = Task {
            // Cancelled between being due and this task's turn: the body must not start.
            guard !work.isCancelled else { return }
            if case .every = work.repeats {
                await runRepeating(work)
            } else {
                await run(work.body)
            }
            work.run = nil
            guard !work.isCancelled else { return }
            switch work.repeats {
            case .once: works[work.id] = nil
            case .every(let interval): timer.add(work, at: .now + interval)
            case .cron(let cron, let last):
                work.repeats = .cron(cron, last: cron.next(after: last) ?? last)
                scheduleNextCronRun(work)
            }
        }
    }

    /// Puts a cron schedule in the timer for its next time after the last one, or retires it
    /// when the expression names no more.
    private func scheduleNextCronRun(_ work: ScheduledWork) {
        guard case .cron(let cron, let last) = work.repeats, let next = cron.next(after: last) else {
            works[work.id] = nil
            return
        }
        let wait = next.timeIntervalSinceNow
        timer.add(work, at: wait > 0 ? .now + .milliseconds(Int(wait * 1000) + 1) : .now)
    }

    private func run(_ body: @DriverActor () async throws -> Void) async {
        do { try await body() } catch { logger?.warning("scheduled task failed: \(error)") }
    }

    /// One run of a repeating task, counting its failures in a row.
    private func runRepeating(_ work: ScheduledWork) async {
        do {
            try await work.body()
            failing[work.id] = nil
        } catch {
            logger?.warning("scheduled task failed: \(error)")
            guard !work.isCancelled else { return }
            failing[work.id] = ((failing[work.id]?.runs ?? 0) + 1, error.message)
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
