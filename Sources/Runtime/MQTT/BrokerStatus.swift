/// What the site, REST and metrics show of one broker.
public struct BrokerStatus: Sendable, Equatable {
    public enum State: Sendable, Equatable {
        case connecting
        case connected
        /// Cannot be used as configured (a sealed value that does not open); not connecting.
        case failed(String)
    }

    public var id: String
    public var name: String
    public var host: String
    public var port: Int
    public var tls: Bool
    public var state: State
    /// Messages handed to the broker connection.
    public var published: UInt64
    /// Messages dropped because the queue was full while the broker was down or slow.
    public var dropped: UInt64
    /// Failed connection attempts, lost connections, statuses that cannot be a topic, values a
    /// filter broke.
    public var errors: UInt64
    public var queued: Int
    /// The last connection error in words, kept after recovery
    /// (`the broker refused the connection: not authorised`).
    public var lastError: String?
    /// The last thing not published and why (`module mod-x status "a/b": …`).
    public var lastRejected: String?
}
