import Testing
import MQTT

@Suite struct TopicTests {
    @Test func namesToPublishToHaveNoWildcards() {
        #expect(MQTTTopic.problem(publishingTo: "placeos/zone-org/state/_/b/l/_/sys/drv/Display/1/power") == nil)
        #expect(MQTTTopic.problem(publishingTo: "a/+/b") != nil)
        #expect(MQTTTopic.problem(publishingTo: "a/#") != nil)
        #expect(MQTTTopic.problem(publishingTo: "") != nil)
        #expect(MQTTTopic.problem(publishingTo: "a\u{0}b") != nil)
        #expect(MQTTTopic.problem(publishingTo: String(repeating: "x", count: 65_536)) != nil)
    }

    @Test func filtersAllowWholeLevelWildcards() {
        #expect(MQTTTopic.problem(subscribingTo: "harbourpoint/+/air") == nil)
        #expect(MQTTTopic.problem(subscribingTo: "harbourpoint/#") == nil)
        #expect(MQTTTopic.problem(subscribingTo: "harbourpoint/le+vel") != nil)
        #expect(MQTTTopic.problem(subscribingTo: "harbourpoint/#/air") != nil)
    }

    @Test func matching() {
        #expect(MQTTTopic.matches("harbourpoint/level-1/air", filter: "harbourpoint/+/air"))
        #expect(MQTTTopic.matches("harbourpoint/level-1/air", filter: "harbourpoint/#"))
        #expect(!MQTTTopic.matches("harbourpoint/level-1/air/command", filter: "harbourpoint/+/air"))
    }
}
