/// The one timer of a driver process: every module's schedules (`every`, `after`, `at`, `cron`)
/// wait in one min-heap of deadlines, served by one sleeping task at a time armed at the
/// earliest. A schedule waiting for its next run therefore costs a heap slot and its
/// `ScheduledWork`, not a sleeping task of its own (about 2.4 KB per polling module before).
///
/// Cancelled work is left in the heap and skipped when it comes due; the heap is compacted
/// when more than half of it is cancelled work, so re-arming a long timer often (a vacancy
/// timer moved at every occupancy change) does not let it grow.
@DriverActor
final class ScheduleTimer {
    /// The process's timer.
    static let shared = ScheduleTimer()

    init() {}

    private struct Entry {
        let deadline: ContinuousClock.Instant
        /// Insertion order: equal deadlines fire first in, first out.
        let sequence: UInt64
        let work: ScheduledWork

        func precedes(_ other: Entry) -> Bool {
            deadline != other.deadline ? deadline < other.deadline : sequence < other.sequence
        }
    }

    private var heap: [Entry] = []
    private var nextSequence: UInt64 = 0
    private var cancelledInHeap = 0
    /// The sleeper and the deadline it wakes at; a sooner deadline replaces it.
    private var sleeper: (task: Task<Void, Never>, wakesAt: ContinuousClock.Instant)?

    /// Schedules (not cancelled) waiting in the heap.
    var waiting: Int { heap.count - cancelledInHeap }
    /// Entries in the heap, cancelled ones not yet compacted away included.
    var entries: Int { heap.count }

    /// Calls `work.fire()` at `deadline` (at the next turn when it has passed).
    func add(_ work: ScheduledWork, at deadline: ContinuousClock.Instant) {
        push(Entry(deadline: deadline, sequence: nextSequence, work: work))
        nextSequence &+= 1
        work.waitsInTimer = true
        if sleeper.map({ deadline < $0.wakesAt }) ?? true { arm(at: deadline) }
    }

    /// `work` waiting in the heap was cancelled: it will be skipped.
    func noteCancelled(_ work: ScheduledWork) {
        guard work.waitsInTimer else { return }
        cancelledInHeap += 1
        if cancelledInHeap > 64, cancelledInHeap * 2 > heap.count { compact() }
    }

    private func arm(at deadline: ContinuousClock.Instant) {
        sleeper?.task.cancel()
        let task = Task {
            try? await Task.sleep(until: deadline, clock: .continuous)
            if Task.isCancelled { return }
            self.sleeper = nil
            self.fireDue()
        }
        sleeper = (task, deadline)
    }

    /// Fires every entry whose deadline has passed, then sleeps until the next one.
    private func fireDue() {
        let now = ContinuousClock.now
        while let first = heap.first, first.deadline <= now {
            popFirst()
            first.work.waitsInTimer = false
            if first.work.isCancelled {
                cancelledInHeap -= 1
            } else {
                first.work.fire()
            }
        }
        if let first = heap.first, sleeper.map({ first.deadline < $0.wakesAt }) ?? true { arm(at: first.deadline) }
    }

    private func compact() {
        heap.removeAll { entry in
            guard entry.work.isCancelled else { return false }
            entry.work.waitsInTimer = false
            return true
        }
        cancelledInHeap = 0
        for index in stride(from: heap.count / 2 - 1, through: 0, by: -1) { siftDown(index) }
    }

    // MARK: binary heap

    private func push(_ entry: Entry) {
        heap.append(entry)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].precedes(heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private func popFirst() {
        let last = heap.removeLast()
        guard !heap.isEmpty else { return }
        heap[0] = last
        siftDown(0)
    }

    private func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1, right = left + 1
            var first = parent
            if left < heap.count, heap[left].precedes(heap[first]) { first = left }
            if right < heap.count, heap[right].precedes(heap[first]) { first = right }
            if first == parent { return }
            heap.swapAt(parent, first)
            parent = first
        }
    }
}
