import MQTT
import Testing
@testable import DriverKitMQTT

@Suite struct MQTTInboxTests {
    func message(_ topic: String, _ text: String) -> MQTTClientEvent {
        .message(MQTTMessage(topic: topic, payload: Array(text.utf8)))
    }

    @Test func theLatestMessagePerTopicIsKeptInFirstArrivalOrder() {
        var inbox = MQTTInbox(capacity: 10)
        inbox.post(message("a", "1"))
        inbox.post(message("b", "1"))
        inbox.post(message("a", "2"))
        #expect(inbox.drain() == [message("a", "2"), message("b", "1")])
        #expect(inbox.coalesced == 1)
        #expect(inbox.isEmpty)
    }

    @Test func aFloodOfManyTopicsIsBoundedAndCounted() {
        var inbox = MQTTInbox(capacity: 100)
        for index in 0..<10_000 { inbox.post(message("sensor/\(index)", "x")) }
        #expect(inbox.dropped == 9_900)
        #expect(inbox.drain().count == 100)
    }

    @Test func connectionEventsKeepTheirPlace() {
        var inbox = MQTTInbox(capacity: 10)
        inbox.post(message("a", "1"))
        inbox.post(.disconnected(reason: "lost"))
        inbox.post(.connected)
        inbox.post(message("a", "2"))   // replaces the unread one, which stays in its place
        #expect(inbox.drain() == [message("a", "2"), .disconnected(reason: "lost"), .connected])
    }
}
