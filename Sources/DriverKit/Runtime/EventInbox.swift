import Synchronization

/// Hands events from I/O threads to the driver actor in the order they happened.
///
/// Posting appends under a lock and schedules at most one drain task at a time; the drain runs
/// on `DriverActor` and delivers everything queued so far in one batch, so order is kept even
/// though tasks themselves are not ordered.
final class EventInbox<Event: Sendable>: Sendable {
    private struct State: ~Copyable { var events: [Event] = []; var scheduled = false }
    private let state = Mutex(State())
    private let deliver: @DriverActor @Sendable ([Event]) -> Void

    init(_ deliver: @escaping @DriverActor @Sendable ([Event]) -> Void) {
        self.deliver = deliver
    }

    func post(_ event: Event) {
        let schedule = state.withLock { state -> Bool in
            state.events.append(event)
            if state.scheduled { return false }
            state.scheduled = true
            return true
        }
        if schedule { Task { @DriverActor in self.drain() } }
    }

    @DriverActor private func drain() {
        let batch = state.withLock { state -> [Event] in
            let batch = state.events
            state.events = []
            state.scheduled = false
            return batch
        }
        deliver(batch)
    }
}
