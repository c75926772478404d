/// Every limit the server enforces, each with a name and a default.
public struct Limits: Sendable {
    /// Longest request line, CRLF included (414 beyond).
    public var maxRequestLineBytes = 8 * 1024
    /// Largest request header block (431 beyond).
    public var maxHeaderBytes = 64 * 1024
    /// Most header fields in a request (431 beyond).
    public var maxHeaderCount = 100
    /// Largest request body (413 beyond).
    public var maxBodyBytes = 8 * 1024 * 1024
    /// Seconds a client has to send a whole request head, counted from its first byte (slowloris).
    public var headTimeout = 10.0
    /// Seconds a body may go without progress.
    public var bodyTimeout = 30.0
    /// Seconds an idle keep-alive connection stays open.
    public var idleTimeout = 60.0
    /// Seconds a client may leave our output unread before we drop it.
    public var writeTimeout = 30.0
    /// Most open connections; beyond it new ones get a 503 and are closed.
    public var maxConnections = 10_000
    /// Output queue size above which we stop reading from a connection (back-pressure).
    public var outputHighWater = 64 * 1024
    /// Output queue size below which reading resumes.
    public var outputLowWater = 16 * 1024
    /// Largest WebSocket frame payload (1009 beyond).
    public var maxWebSocketFrameBytes = 1024 * 1024
    /// Largest WebSocket message, all fragments together (1009 beyond).
    public var maxWebSocketMessageBytes = 16 * 1024 * 1024
    /// Seconds to wait for the peer's close frame after ours.
    public var webSocketCloseTimeout = 5.0
    /// Seconds of silence after which we ping a WebSocket peer; as long again without an answer closes it.
    public var webSocketPingInterval = 30.0
    /// Unwritten bytes after which a WebSocket is dropped instead of queueing another broadcast.
    public var webSocketBroadcastBacklog = 1024 * 1024
    /// Unread inbound WebSocket messages after which we stop reading the socket.
    public var webSocketInboxHighWater = 64

    /// The defaults.
    public init() {}

    var parser: HTTPRequestParser.Limits {
        HTTPRequestParser.Limits(maxRequestLineBytes: maxRequestLineBytes, maxHeaderBytes: maxHeaderBytes,
                                 maxHeaderCount: maxHeaderCount, maxBodyBytes: maxBodyBytes)
    }
}
