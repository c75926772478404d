import MQTT
import Synchronization

/// What a module's MQTT connection received, waiting for the driver actor: bounded, and
/// coalesced by topic (a sensor's newer reading replaces the unread older one), so a flood costs
/// at most `capacity` messages of memory and the driver always reads the latest values.
///
/// Connection events keep their place among the messages. Not thread-safe by itself;
/// ``MQTTConnection`` holds it under a lock.
struct MQTTInbox {
    enum Item: Equatable {
        case event(MQTTClientEvent)
        /// The latest message for a topic, read from `pending` when drained.
        case topic(String)
    }

    let capacity: Int
    private var items: [Item] = []
    private var pending: [String: MQTTMessage] = [:]
    /// Messages that replaced an unread one for the same topic.
    private(set) var coalesced: UInt64 = 0
    /// Messages dropped because `capacity` topics were already waiting.
    private(set) var dropped: UInt64 = 0

    init(capacity: Int) {
        precondition(capacity > 0, "an inbox holds at least one message")
        self.capacity = capacity
    }

    var isEmpty: Bool { items.isEmpty }

    mutating func post(_ event: MQTTClientEvent) {
        guard case .message(let message) = event else {
            items.append(.event(event))
            return
        }
        if pending[message.topic] != nil {
            pending[message.topic] = message
            coalesced += 1
        } else if pending.count >= capacity {
            dropped += 1
        } else {
            pending[message.topic] = message
            items.append(.topic(message.topic))
        }
    }

    /// Everything waiting, in order.
    mutating func drain() -> [MQTTClientEvent] {
        defer {
            items = []
            pending = [:]
        }
        return items.compactMap { item in
            switch item {
            case .event(let event): event
            case .topic(let topic): pending[topic].map(MQTTClientEvent.message)
            }
        }
    }
}
