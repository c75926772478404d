import Foundation
import Testing
@testable import DriverKit

/// The process's one timer behind every module's schedules (`ScheduleTimer`).
@Suite struct ScheduleTimerTests {
    @Test(.timeLimit(.minutes(1))) @DriverActor func aShortScheduleAfterALongOneFiresOnItsOwnDeadline() async throws {
        let timer = ScheduleTimer()
        let scheduler = Scheduler(logger: nil, timer: timer)
        var long = 0, short = 0
        scheduler.after(.seconds(600)) { long += 1 }
        scheduler.after(.milliseconds(20)) { short += 1 }
        // Twice: the timer must re-arm for the sooner deadline each time, not sleep on the long one.
        for _ in 0..<2000 where short == 0 { try await Task.sleep(for: .milliseconds(5)) }
        #expect(short == 1 && long == 0)
        scheduler.every(.milliseconds(20)) { short += 1 }
        for _ in 0..<2000 where short < 3 { try await Task.sleep(for: .milliseconds(5)) }
        #expect(short >= 3 && long == 0)
        scheduler.cancelAll()
        #expect(scheduler.activeCount == 0)
    }

    @Test(.timeLimit(.minutes(1))) @DriverActor func aCancelledScheduleNeverRunsAndLeavesTheHeap() async throws {
        let timer = ScheduleTimer()
        let scheduler = Scheduler(logger: nil, timer: timer)
        var ran = 0
        // A vacancy timer moved at every change: 500 long timers cancelled one after the other.
        var handle = scheduler.after(.seconds(600)) { ran += 1 }
        for _ in 0..<500 {
            scheduler.cancel(handle)
            handle = scheduler.after(.seconds(600)) { ran += 1 }
        }
        #expect(timer.waiting == 1)
        #expect(timer.entries < 200, "cancelled entries are compacted away, not kept until their deadline")
        let doomed = scheduler.after(.milliseconds(10)) { ran += 1 }
        scheduler.cancel(doomed)
        var marker = false
        scheduler.after(.milliseconds(30)) { marker = true }
        for _ in 0..<2000 where !marker { try await Task.sleep(for: .milliseconds(5)) }
        #expect(marker && ran == 0)
        scheduler.cancelAll()
        #expect(timer.waiting == 0)
    }

    @Test(.timeLimit(.minutes(1))) @DriverActor func manyModulesShareOneTimerAndRunsNeverOverlap() async throws {
        let timer = ScheduleTimer()
        let schedulers = (0..<1000).map { _ in Scheduler(logger: nil, timer: timer) }
        var runs = [Int](repeating: 0, count: schedulers.count)
        var running = 0, overlapping = 0, started = 0, cancelled = false, startedLive = 0
        var busy = [Bool](repeating: false, count: schedulers.count)
        for (index, scheduler) in schedulers.enumerated() {
            // Each run outlasts the interval: the next must wait for it to end.
            scheduler.every(.milliseconds(2), immediately: true) {
                started += 1
                if cancelled && !Task.isCancelled { startedLive += 1 }
                if busy[index] { overlapping += 1 }
                busy[index] = true
                running += 1
                try await Task.sleep(for: .milliseconds(10))
                running -= 1
                busy[index] = false
                runs[index] += 1
            }
        }
        #expect(timer.waiting + running <= schedulers.count, "one entry per schedule, none while it runs")
        for _ in 0..<4000 where runs.min()! < 3 { try await Task.sleep(for: .milliseconds(5)) }
        #expect(runs.min()! >= 3)
        #expect(overlapping == 0)
        for scheduler in schedulers { scheduler.cancelAll() }
        cancelled = true
        let frozen = started
        try await Task.sleep(for: .milliseconds(50))
        // A run already under way when cancelAll came may still reach its body (the executor hop
        // into it is a suspension point), but only as a cancelled task: its first await throws.
        #expect(startedLive == 0, "nothing starts uncancelled after cancelAll")
        #expect(started - frozen <= schedulers.count, "at most the runs already under way")
        #expect(timer.waiting == 0)
    }

    @Test(.timeLimit(.minutes(1))) @DriverActor func cancellingARunningScheduleCancelsItsRun() async throws {
        let scheduler = Scheduler(logger: nil, timer: ScheduleTimer())
        var started = false, sawCancellation = false, runs = 0
        scheduler.every(.milliseconds(1), immediately: true) {
            runs += 1
            started = true
            do { try await Task.sleep(for: .seconds(600)) } catch { sawCancellation = true }
        }
        for _ in 0..<2000 where !started { try await Task.sleep(for: .milliseconds(5)) }
        scheduler.cancelAll()
        for _ in 0..<2000 where !sawCancellation { try await Task.sleep(for: .milliseconds(5)) }
        try await Task.sleep(for: .milliseconds(20))
        #expect(sawCancellation && runs == 1)
    }
}
