/// Counters and state of one client, for pages, REST and metrics.
public struct MQTTClientStatistics: Sendable, Equatable {
    /// Messages handed to the broker connection.
    public var published: UInt64 = 0
    /// Messages dropped because the outgoing queue was full (oldest first).
    public var dropped: UInt64 = 0
    /// Retained messages that replaced a queued one for the same topic before it was sent.
    public var replaced: UInt64 = 0
    /// Messages received on subscriptions (delivered or too large).
    public var received: UInt64 = 0
    /// Failed connection attempts, lost connections and refused publishes.
    public var errors: UInt64 = 0
    /// Messages waiting in the outgoing queue.
    public var queued = 0
    public var connected = false
    /// The last error in words (`connection refused: not authorised`), kept after recovery.
    public var lastError: String?

    public init() {}
}
