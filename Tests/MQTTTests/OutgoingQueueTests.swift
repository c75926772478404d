import Testing
@testable import MQTT

@Suite struct OutgoingQueueTests {
    private func item(_ topic: String, _ payload: String, retain: Bool = false) -> OutgoingQueue.Item {
        .init(topic: topic, payload: Array(payload.utf8), qos: 0, retain: retain)
    }

    private func texts(_ items: [OutgoingQueue.Item]) -> [String] {
        items.map { "\($0.topic)=\(String(decoding: $0.payload, as: UTF8.self))" }
    }

    @Test func aFullQueueDropsTheOldestAndCountsIt() {
        var queue = OutgoingQueue(capacity: 3)
        for index in 1...5 { _ = queue.enqueue(item("t/\(index)", "\(index)")) }
        #expect(queue.count == 3)
        #expect(queue.dropped == 2)
        #expect(texts(queue.dequeue(upTo: 10)) == ["t/3=3", "t/4=4", "t/5=5"])
        #expect(queue.isEmpty)
    }

    @Test func aRetainedMessageReplacesTheQueuedOneForItsTopicInPlace() {
        var queue = OutgoingQueue(capacity: 10)
        #expect(queue.enqueue(item("a", "1", retain: true)) == .queued)
        #expect(queue.enqueue(item("b", "1")) == .queued)
        #expect(queue.enqueue(item("a", "2", retain: true)) == .replaced)
        #expect(queue.enqueue(item("b", "2")) == .queued)   // not retained: both are sent
        #expect(queue.replaced == 1)
        #expect(texts(queue.dequeue(upTo: 10)) == ["a=2", "b=1", "b=2"])
        // Once sent, the next retained value for the topic is queued anew.
        #expect(queue.enqueue(item("a", "3", retain: true)) == .queued)
        #expect(texts(queue.dequeue(upTo: 10)) == ["a=3"])
    }

    @Test func manyUpdatesOfFewTopicsStayWithinTheTopicCount() {
        var queue = OutgoingQueue(capacity: 100)
        for round in 0..<10_000 { _ = queue.enqueue(item("sensor/\(round % 7)", "\(round)", retain: true)) }
        #expect(queue.count == 7)
        #expect(queue.dropped == 0)
        #expect(texts(queue.dequeue(upTo: 100)).sorted() == (9993..<10_000).map { "sensor/\($0 % 7)=\($0)" }.sorted())
    }

    @Test func droppingAndDequeuingKeepTheRetainedIndexRight() {
        var queue = OutgoingQueue(capacity: 2)
        _ = queue.enqueue(item("a", "1", retain: true))
        _ = queue.enqueue(item("b", "1", retain: true))
        #expect(queue.enqueue(item("c", "1", retain: true)) == .queuedDroppingOldest)   // drops a
        #expect(queue.enqueue(item("a", "2", retain: true)) == .queuedDroppingOldest)   // a is new again; drops b
        #expect(queue.enqueue(item("c", "2", retain: true)) == .replaced)
        #expect(texts(queue.dequeue(upTo: 1)) == ["c=2"])
        #expect(queue.enqueue(item("a", "3", retain: true)) == .replaced)
        #expect(texts(queue.dequeue(upTo: 5)) == ["a=3"])
    }

    @Test func requeuedMessagesGoFirstWithinTheCapacity() {
        var queue = OutgoingQueue(capacity: 5)
        for index in 1...4 { _ = queue.enqueue(item("t/\(index)", "\(index)", retain: index == 2)) }
        let taken = queue.dequeue(upTo: 3)
        _ = queue.enqueue(item("t/5", "5"))
        _ = queue.enqueue(item("t/2", "new", retain: true))
        queue.requeueAtFront(taken)   // t/2's old value is superseded; t/1 and t/3 fit in the 2 free places
        #expect(texts(queue.dequeue(upTo: 10)) == ["t/1=1", "t/3=3", "t/4=4", "t/5=5", "t/2=new"])
        #expect(queue.dropped == 0)
        // Without room, the oldest returned ones are dropped and counted.
        for index in 1...5 { _ = queue.enqueue(item("u/\(index)", "\(index)")) }
        let first = queue.dequeue(upTo: 2)
        _ = queue.enqueue(item("u/6", "6"))
        queue.requeueAtFront(first)
        #expect(queue.dropped == 1)
        #expect(texts(queue.dequeue(upTo: 10)) == ["u/2=2", "u/3=3", "u/4=4", "u/5=5", "u/6=6"])
    }

    @Test func compactionOverALongRunKeepsOrder() {
        // Plain messages leave in the order they came; a retained topic's values only move forward.
        var queue = OutgoingQueue(capacity: 5000)
        var lastPlain = -1
        var lastRetained: [String: Int] = [:]
        for index in 0..<20_000 {
            _ = queue.enqueue(item("t/\(index % 300)", "\(index)", retain: index % 3 == 0))
            guard index % 7 == 0 else { continue }
            for taken in queue.dequeue(upTo: 5) {
                let value = Int(String(decoding: taken.payload, as: UTF8.self))!
                if taken.retain {
                    #expect(value > lastRetained[taken.topic, default: -1])
                    lastRetained[taken.topic] = value
                } else {
                    #expect(value > lastPlain)
                    lastPlain = value
                }
            }
        }
        #expect(queue.count <= 5000)
    }
}
