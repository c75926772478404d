import Synchronization

/// Back-pressure between a producer task and a connection's output queue.
///
/// The producer reserves bytes before handing them to the loop and waits while more than the
/// high-water mark is unwritten; the loop reports written bytes and wakes it below the low-water
/// mark. Once the connection closes, every wait ends and further reservations fail.
final class OutboundGate: Sendable {
    private struct State {
        var queuedBytes = 0
        var closed = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())
    private let highWater: Int
    private let lowWater: Int

    init(highWater: Int, lowWater: Int) {
        self.highWater = highWater
        self.lowWater = lowWater
    }

    var isClosed: Bool { state.withLock { $0.closed } }

    /// Reserves `count` bytes; false once closed. Returns whether the producer must then `waitForRoom()`.
    func reserve(_ count: Int) -> (accepted: Bool, mustWait: Bool) {
        state.withLock { state in
            if state.closed { return (false, false) }
            state.queuedBytes += count
            return (true, state.queuedBytes > highWater)
        }
    }

    /// Reserves `count` bytes only if that stays within the high-water mark: true when reserved,
    /// false when the producer must wait instead (nothing reserved), nil once closed.
    func reserveIfRoom(_ count: Int) -> Bool? {
        state.withLock { state in
            if state.closed { return nil }
            guard state.queuedBytes + count <= highWater else { return false }
            state.queuedBytes += count
            return true
        }
    }

    /// Suspends until the queue is below the low-water mark or the connection closed.
    func waitForRoom() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLock { state -> Bool in
                if state.closed || state.queuedBytes <= lowWater { return true }
                state.waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    /// Loop side: `count` bytes reached the socket.
    func didWrite(_ count: Int) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.queuedBytes = max(0, state.queuedBytes - count)
            guard state.queuedBytes <= lowWater, !state.waiters.isEmpty else { return [] }
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Loop side: the connection is going away.
    func close() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.closed = true
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}
