import CMosquitto

/// MQTT topic names (what is published to) and topic filters (what is subscribed to, with `+`
/// and `#` wildcards), checked by libmosquitto's own rules: valid UTF-8 without NUL, at most
/// 65,535 bytes, no wildcards in a name, wildcards only as whole levels in a filter.
public enum MQTTTopic {
    /// Why `topic` cannot be published to, or nil when it can.
    public static func problem(publishingTo topic: String) -> String? {
        if let problem = encodingProblem(topic) { return problem }
        let bytes = Array(topic.utf8)
        let result = bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { mosquitto_pub_topic_check2($0.baseAddress, buffer.count) }
        }
        return result == MOSQ_ERR_SUCCESS.rawValue ? nil : "\"\(topic)\" is not a topic to publish to: it contains + or #"
    }

    /// Why `filter` cannot be subscribed to, or nil when it can.
    public static func problem(subscribingTo filter: String) -> String? {
        if let problem = encodingProblem(filter) { return problem }
        let bytes = Array(filter.utf8)
        let result = bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { mosquitto_sub_topic_check2($0.baseAddress, buffer.count) }
        }
        return result == MOSQ_ERR_SUCCESS.rawValue
            ? nil : "\"\(filter)\" is not a topic filter: + and # must stand alone between slashes, and # must come last"
    }

    /// Whether `topic` matches the subscription `filter`.
    public static func matches(_ topic: String, filter: String) -> Bool {
        // The NUL-terminated variant: the length-taking one reads past its length in 2.0.11.
        guard !topic.utf8.contains(0), !filter.utf8.contains(0) else { return false }
        var result = false
        return mosquitto_topic_matches_sub(filter, topic, &result) == MOSQ_ERR_SUCCESS.rawValue && result
    }

    /// Empty topics, NUL characters and over-long topics are refused by every broker.
    private static func encodingProblem(_ topic: String) -> String? {
        if topic.isEmpty { return "the topic is empty" }
        if topic.utf8.count > 65_535 { return "the topic is longer than 65,535 bytes" }
        if topic.utf8.contains(0) { return "the topic contains a NUL character" }
        return nil
    }
}
