/// A message received on a subscription.
public struct MQTTMessage: Sendable, Equatable {
    public var topic: String
    public var payload: [UInt8]
    public var qos: Int
    /// True when the broker sent it from its retained store (the last value before we subscribed).
    public var retain: Bool

    public init(topic: String, payload: [UInt8], qos: Int = 0, retain: Bool = false) {
        self.topic = topic
        self.payload = payload
        self.qos = qos
        self.retain = retain
    }

    /// The payload as text (invalid UTF-8 replaced).
    public var text: String { String(decoding: payload, as: UTF8.self) }
}

/// What an ``MQTTClient`` tells its owner, on the client's network thread.
public enum MQTTClientEvent: Sendable, Equatable {
    /// The broker accepted the connection (also after each reconnect; subscriptions are renewed).
    case connected
    /// A connection attempt failed or the connection was lost; the client retries after a back-off.
    case disconnected(reason: String)
    case message(MQTTMessage)
    /// A message larger than `maximumIncomingBytes` arrived and was not delivered.
    case messageTooLarge(topic: String, bytes: Int)
}
