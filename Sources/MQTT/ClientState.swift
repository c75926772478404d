import Synchronization

/// What callers and the network thread of one ``MQTTClient`` share, under one lock: the outgoing
/// queue, the subscriptions, the counters and the request to close.
final class ClientState: Sendable {
    struct Fields {
        var queue: OutgoingQueue
        /// Filter → QoS: renewed on every connection.
        var subscriptions: [String: Int] = [:]
        /// Changes to send on the current connection (QoS nil = unsubscribe), in order.
        var subscriptionChanges: [(filter: String, qos: Int?)] = []
        var statistics = MQTTClientStatistics()
        /// True while a wake-up is signalled and not yet seen, so a burst of publishes writes the eventfd once.
        var wakePending = false
        var closing = false
        /// With `closing`: send what is queued until then, then disconnect.
        var flushDeadline: ContinuousClock.Instant?
    }

    let fields: Mutex<Fields>
    let wake: WakeSignal

    init(queueCapacity: Int) throws(MQTTError) {
        fields = Mutex(Fields(queue: OutgoingQueue(capacity: queueCapacity)))
        wake = try WakeSignal()
    }

    /// Runs `body` under the lock, then wakes the network thread if it asked to.
    func update<T>(wakingLoop: Bool = true, _ body: (inout Fields) -> T) -> T {
        let (result, signal): (T, Bool) = fields.withLock { fields in
            let result = body(&fields)
            guard wakingLoop, !fields.wakePending else { return (result, false) }
            fields.wakePending = true
            return (result, true)
        }
        if signal { wake.signal() }
        return result
    }

    /// Records an error for the statistics (kept as `lastError` until the next one).
    func recordError(_ message: String) {
        fields.withLock { fields in
            fields.statistics.errors += 1
            fields.statistics.lastError = message
        }
    }
}
