import Synchronization

/// One open WebSocket, as its handler sees it.
///
/// Read with `for await message in ws.messages`; the sequence ends when the connection closes.
/// `send` applies back-pressure: it suspends while too much of what was sent is still unwritten.
public final class WebSocket: Sendable {
    /// Incoming messages, in order. Ends when the peer closes or the connection fails.
    public let messages: Messages
    /// The upgrade request (path, headers, parameters).
    public let request: Request

    let inbox: WebSocketInbox
    let peer: Peer
    let gate: OutboundGate

    /// Where what the handler sends goes.
    enum Peer: Sendable {
        /// A TCP connection, on its event loop.
        case connection(LoopBound<Connection>)
        /// A client in this process (`Router.connectWebSocket`): whole messages, no frames.
        case inProcess(InProcessWebSocket)
    }

    init(request: Request, peer: Peer, limits: Limits) {
        self.request = request
        self.peer = peer
        gate = OutboundGate(highWater: limits.outputHighWater, lowWater: limits.outputLowWater)
        inbox = WebSocketInbox(highWater: limits.webSocketInboxHighWater)
        messages = Messages(inbox: inbox)
    }

    /// Sends a text message.
    public func send(text: String) async throws(ConnectionClosedError) {
        try await send(.text(text))
    }

    /// Sends a binary message.
    public func send(binary: [UInt8]) async throws(ConnectionClosedError) {
        try await send(.binary(binary))
    }

    /// Sends a text message from the calling thread without waiting, when what was sent before is
    /// far enough below the high-water mark: true when handed to the connection, false when it was
    /// not sent and the caller must use `send(text:)` (which waits). For a producer that keeps
    /// its own order and bound (a session's outbox): it spares a task hop per message.
    public func sendWithoutWaiting(text: String) throws(ConnectionClosedError) -> Bool {
        guard case .connection(let connection) = peer else {
            guard !gate.isClosed, case .inProcess(let client) = peer else { throw ConnectionClosedError() }
            client.receive(.text(text))
            return true
        }
        let frame = WebSocketFrame(fin: true, opcode: .text, payload: Array(text.utf8)).encoded()
        guard let reserved = gate.reserveIfRoom(frame.count) else { throw ConnectionClosedError() }
        guard reserved else { return false }
        connection.execute { connection in connection.enqueueWebSocketData(frame) }
        return true
    }

    /// Starts the close handshake with `code` and `reason`; messages stop, sends then fail.
    public func close(code: UInt16 = WebSocketCloseCode.normal, reason: String = "") {
        switch peer {
        case .connection(let connection): connection.execute { connection in connection.closeWebSocket(code: code, reason: reason) }
        case .inProcess(let client): client.serverClosed(code: code)
        }
    }

    /// Sends one text message to many sockets: encoded once, handed to each event loop once.
    ///
    /// Unlike `send`, this never waits: a socket whose unwritten output is over
    /// `Limits.webSocketBroadcastBacklog` is disconnected instead (its client can reconnect and resync).
    public static func broadcast(text: String, to sockets: [WebSocket]) {
        let frame = WebSocketFrame(fin: true, opcode: .text, payload: Array(text.utf8)).encoded()
        var byLoop: [ObjectIdentifier: [LoopBound<Connection>]] = [:]
        for socket in sockets where !socket.isClosed {
            switch socket.peer {
            case .connection(let connection): byLoop[ObjectIdentifier(connection.loop), default: []].append(connection)
            case .inProcess(let client): client.receive(.text(text))
            }
        }
        for connections in byLoop.values {
            connections[0].loop.execute {
                for connection in connections { connection.value.enqueueBroadcast(frame) }
            }
        }
    }

    /// Whether the connection is closing or closed.
    public var isClosed: Bool { gate.isClosed }

    private func send(_ message: WebSocketMessage) async throws(ConnectionClosedError) {
        guard case .connection(let connection) = peer else {
            guard !gate.isClosed, case .inProcess(let client) = peer else { throw ConnectionClosedError() }
            return client.receive(message)
        }
        let frame = switch message {
        case .text(let text): WebSocketFrame(fin: true, opcode: .text, payload: Array(text.utf8)).encoded()
        case .binary(let bytes): WebSocketFrame(fin: true, opcode: .binary, payload: bytes).encoded()
        }
        let (accepted, mustWait) = gate.reserve(frame.count)
        guard accepted else { throw ConnectionClosedError() }
        connection.execute { connection in connection.enqueueWebSocketData(frame) }
        guard mustWait else { return }
        await gate.waitForRoom()
        if gate.isClosed { throw ConnectionClosedError() }
    }

    /// Loop side: the connection is closing; wake senders and end `messages`.
    func markClosed() {
        gate.close()
        inbox.finish()
    }

    /// The incoming messages of a `WebSocket`.
    public struct Messages: AsyncSequence, Sendable {
        public typealias Element = WebSocketMessage
        public typealias Failure = Never
        let inbox: WebSocketInbox

        /// An iterator over the messages.
        public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(inbox: inbox) }

        /// Iterates messages until the connection closes.
        public struct AsyncIterator: AsyncIteratorProtocol {
            public typealias Element = WebSocketMessage
            public typealias Failure = Never
            let inbox: WebSocketInbox
            /// The next message, or nil once the connection has closed.
            public mutating func next() async -> WebSocketMessage? { await inbox.next() }
        }
    }
}

/// Thrown by `WebSocket.send` and `ResponseBodyWriter.write` once the connection is closing or closed.
public struct ConnectionClosedError: Error, Sendable {}

/// Messages received but not yet taken by the handler, with a high-water mark that pauses reading.
final class WebSocketInbox: Sendable {
    private struct State {
        var queue: [WebSocketMessage] = []
        var head = 0
        var waiter: CheckedContinuation<WebSocketMessage?, Never>?
        var finished = false
        var readerPaused = false
        var onDrain: (@Sendable () -> Void)?
        var count: Int { queue.count - head }
    }

    private let state = Mutex(State())
    private let highWater: Int

    init(highWater: Int) { self.highWater = highWater }

    /// Loop side: delivers a message. Returns true when the reader should pause;
    /// `onDrain` is then called once the handler has caught up.
    func push(_ message: WebSocketMessage, onDrain: @escaping @Sendable () -> Void) -> Bool {
        let (waiter, pause) = state.withLock { state -> (CheckedContinuation<WebSocketMessage?, Never>?, Bool) in
            if state.finished { return (nil, false) }
            if let waiter = state.waiter {
                state.waiter = nil
                return (waiter, false)
            }
            state.queue.append(message)
            if state.count >= highWater {
                state.readerPaused = true
                state.onDrain = onDrain
                return (nil, true)
            }
            return (nil, false)
        }
        waiter?.resume(returning: message)
        return pause
    }

    /// Ends the sequence after the queued messages.
    func finish() {
        let waiter = state.withLock { state -> CheckedContinuation<WebSocketMessage?, Never>? in
            state.finished = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }

    func next() async -> WebSocketMessage? {
        await withCheckedContinuation { (continuation: CheckedContinuation<WebSocketMessage?, Never>) in
            let (result, ready, drain) = state.withLock { state -> (WebSocketMessage?, Bool, (@Sendable () -> Void)?) in
                if state.count > 0 {
                    let message = state.queue[state.head]
                    state.head += 1
                    if state.head == state.queue.count {
                        state.queue.removeAll(keepingCapacity: true)
                        state.head = 0
                    } else if state.head > 64 && state.head * 2 > state.queue.count {
                        state.queue.removeFirst(state.head)
                        state.head = 0
                    }
                    var drain: (@Sendable () -> Void)?
                    if state.readerPaused && state.count <= highWater / 2 {
                        state.readerPaused = false
                        drain = state.onDrain
                        state.onDrain = nil
                    }
                    return (message, true, drain)
                }
                if state.finished { return (nil, true, nil) }
                state.waiter = continuation
                return (nil, false, nil)
            }
            drain?()
            if ready { continuation.resume(returning: result) }
        }
    }
}
