import Foundation

/// One schedule of a module (`every`, `after`, `at`, `cron`): its body, how it repeats, and
/// the run under way. Between runs it waits in the process's ``ScheduleTimer``.
@DriverActor
final class ScheduledWork {
    enum Repeat {
        case once
        case every(Duration)
        /// The expression and the time of the run that was last due.
        indirect case cron(CronExpression, last: Date)
    }

    let id: Int
    var repeats: Repeat
    let body: @DriverActor () async throws -> Void
    /// Told when the work is due; weak, so a scheduler that is gone lets its work lapse.
    weak var scheduler: Scheduler?
    private(set) var isCancelled = false
    /// Whether an entry for it waits in the timer's heap (kept by the timer).
    var waitsInTimer = false
    /// The run under way: cancelled with the work, so a body that awaits sees it.
    var run: Task<Void, Never>?

    /// The timer it waits in.
    let timer: ScheduleTimer

    init(id: Int, repeats: Repeat, scheduler: Scheduler, timer: ScheduleTimer, body: @escaping @DriverActor () async throws -> Void) {
        self.id = id
        self.timer = timer
        self.repeats = repeats
        self.scheduler = scheduler
        self.body = body
    }

    /// Due now (called by the timer).
    func fire() { scheduler?.start(self) }

    func cancel() {
        guard !isCancelled else { return }
        isCancelled = true
        run?.cancel()
        timer.noteCancelled(self)
    }
}
