/// The messages waiting to be sent, bounded: when full, the oldest is dropped (and counted) to
/// make room, so a broker that is down or slow costs a fixed amount of memory.
///
/// A retained message replaces a retained message still queued for the same topic, in place:
/// a broker keeps only the last retained value per topic anyway, so the older one would be
/// overwritten on arrival. Not thread-safe; ``MQTTClient`` holds it under its lock.
struct OutgoingQueue {
    struct Item: Equatable {
        var topic: String
        var payload: [UInt8]
        var qos: Int
        var retain: Bool
    }

    enum Outcome: Equatable {
        case queued
        /// A queued retained message for the same topic now carries the new payload.
        case replaced
        /// Queued, after dropping the oldest message to make room.
        case queuedDroppingOldest
    }

    let capacity: Int
    private(set) var dropped: UInt64 = 0
    private(set) var replaced: UInt64 = 0

    private var items: [Item] = []
    /// `items[head...]` are waiting; the ones before were sent and are compacted away now and then.
    private var head = 0
    /// The absolute position (sent or dropped items included) of `items[0]`.
    private var base = 0
    /// Topic → absolute position of its queued retained message.
    private var retainedAt: [String: Int] = [:]

    init(capacity: Int) {
        precondition(capacity > 0, "an outgoing queue holds at least one message")
        self.capacity = capacity
    }

    var count: Int { items.count - head }
    var isEmpty: Bool { count == 0 }

    mutating func enqueue(_ item: Item) -> Outcome {
        if item.retain, let position = retainedAt[item.topic] {
            items[position - base].payload = item.payload
            items[position - base].qos = item.qos
            replaced += 1
            return .replaced
        }
        var outcome = Outcome.queued
        if count == capacity {
            _ = removeFirst()
            dropped += 1
            outcome = .queuedDroppingOldest
        }
        items.append(item)
        if item.retain { retainedAt[item.topic] = base + items.count - 1 }
        return outcome
    }

    /// Up to `limit` messages, oldest first.
    mutating func dequeue(upTo limit: Int) -> [Item] {
        var batch: [Item] = []
        batch.reserveCapacity(min(limit, count))
        while batch.count < limit, let item = removeFirst() { batch.append(item) }
        return batch
    }

    /// Puts messages taken by `dequeue` back at the front (a connection lost before they were
    /// sent). Those that no longer fit are dropped and counted; retained ones whose topic was
    /// queued again meanwhile are dropped silently (the newer value wins).
    mutating func requeueAtFront(_ returned: [Item]) {
        var keep: [Item] = []
        for item in returned where !(item.retain && retainedAt[item.topic] != nil) { keep.append(item) }
        let room = capacity - count
        if keep.count > room {
            dropped += UInt64(keep.count - room)
            keep = Array(keep.suffix(room))
        }
        guard !keep.isEmpty else { return }
        let firstWaiting = base + head
        var rebuilt = keep
        rebuilt.append(contentsOf: items[head...])
        items = rebuilt
        head = 0
        base = firstWaiting - keep.count
        retainedAt = [:]
        for (offset, item) in items.enumerated() where item.retain { retainedAt[item.topic] = base + offset }
    }

    private mutating func removeFirst() -> Item? {
        guard head < items.count else { return nil }
        let item = items[head]
        if item.retain, retainedAt[item.topic] == base + head { retainedAt[item.topic] = nil }
        head += 1
        if head == items.count {
            base += items.count
            items.removeAll(keepingCapacity: items.count <= 4096)
            head = 0
        } else if head >= 1024, head * 2 >= items.count {
            items.removeFirst(head)
            base += head
            head = 0
        }
        return item
    }
}
