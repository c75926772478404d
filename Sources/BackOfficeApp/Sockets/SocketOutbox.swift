import Synchronization
import WebServer

/// What a session has to say to its WebSocket client, sent in order: at once from the sender's
/// thread while the socket keeps up, else by one writer task.
///
/// Bounded: `WebSocket.send` waits while the client is not reading, and the session keeps
/// producing (answers, notifications, debug lines), so the messages not yet handed to the socket
/// are counted. Past `limit` bytes the client is closed with 1008 ("not reading") and what
/// follows is dropped — the same end the broadcast path gives a client that falls behind — so
/// one client that sends and never reads holds at most `limit` bytes of the server's memory.
final class SocketOutbox: Sendable {
    /// The default bound: a few thousand status messages, far more than a reading client lags.
    static let defaultLimit = 1 << 20
    /// What a queued message costs beyond its text (the stream's slot and the string header).
    static let perMessageCost = 64

    let limit: Int
    private let socket: WebSocket
    private let logger: Logger
    private let continuation: AsyncStream<String>.Continuation
    private let stream: AsyncStream<String>
    /// Bytes and messages queued for the writer task, and whether the client overflowed.
    private let queued = Mutex<(bytes: Int, messages: Int, overflowed: Bool)>((0, 0, false))

    init(socket: WebSocket, limit: Int = SocketOutbox.defaultLimit, logger: Logger = Logger(level: .off)) {
        self.socket = socket
        self.limit = limit
        self.logger = logger
        (stream, continuation) = AsyncStream.makeStream(bufferingPolicy: .unbounded)
    }

    /// Sends `text`: from this thread when nothing is queued and the socket has room (no task hop,
    /// the usual case), else through the writer task; closes the socket instead when the client
    /// has let `limit` bytes pile up.
    func send(_ text: String) {
        let cost = text.utf8.count + Self.perMessageCost
        let outcome = queued.withLock { state -> Outcome in
            if state.overflowed { return .dropped }
            if state.messages == 0 {
                // Under the lock, so a message sent here cannot overtake one queued by another thread.
                do {
                    if try socket.sendWithoutWaiting(text: text) { return .sent }
                } catch {
                    return .dropped  // closed: the writer ends too
                }
            }
            guard state.bytes + cost <= limit else {
                state.overflowed = true
                return .overflowed
            }
            state.bytes += cost
            state.messages += 1
            // Yielded under the lock too, for the same order.
            continuation.yield(text)
            return .queued
        }
        switch outcome {
        case .queued, .sent, .dropped: break
        case .overflowed:
            logger.log(.warning, "websocket \(socket.request.path) from \(socket.request.peerAddress): closed, "
                       + "the client does not read (\(limit) bytes of messages waiting)")
            continuation.finish()
            socket.close(code: WebSocketCloseCode.policyViolation, reason: "not reading")
        }
    }

    /// Whether the client was closed for not reading.
    var overflowed: Bool { queued.withLock { $0.overflowed } }

    /// Sends the queued messages until `finish()` or the socket closes (the writer task's body).
    func write() async {
        for await text in stream {
            do { try await socket.send(text: text) } catch { break }
            // Counted until handed to the socket, so `send` does not overtake it meanwhile.
            queued.withLock {
                $0.bytes -= text.utf8.count + Self.perMessageCost
                $0.messages -= 1
            }
        }
    }

    /// No more messages: the writer ends after the queued ones.
    func finish() { continuation.finish() }

    private enum Outcome { case sent, queued, dropped, overflowed }
}
