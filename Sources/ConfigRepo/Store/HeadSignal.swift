import Foundation

/// Wakes the store's watchers as soon as this process moves the branch, so our own writes are
/// seen at once; heads made elsewhere (`git push`, another process) still wait for the poll.
final class HeadSignal: @unchecked Sendable {
    // @unchecked: `generation` is read and written only with `condition` locked.
    private let condition = NSCondition()
    private var generation = 0

    /// The current generation, to pass to ``wait(after:timeout:)``.
    var current: Int {
        condition.lock()
        defer { condition.unlock() }
        return generation
    }

    /// Says the branch moved.
    func notify() {
        condition.lock()
        generation += 1
        condition.broadcast()
        condition.unlock()
    }

    /// Waits until a ``notify()`` after `seen`, or `timeout` seconds. Returns the generation now.
    func wait(after seen: Int, timeout: TimeInterval) -> Int {
        let deadline = Date(timeIntervalSinceNow: timeout)
        condition.lock()
        defer { condition.unlock() }
        while generation == seen, condition.wait(until: deadline) {}
        return generation
    }
}
