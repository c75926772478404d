/// The WebSocket side of a connection after a successful upgrade.
struct WebSocketState {
    var parser: WebSocketFrameParser
    var assembler: WebSocketAssembler
    let socket: WebSocket
    /// We sent a close frame; waiting for the peer's.
    var closeSent = false
    var closeDeadline: UInt64 = 0
    /// Data the peer sent after our close frame, read and dropped: past
    /// `maximumDiscardedAfterClose` the peer is not waiting for the handshake and is no longer read.
    var discardedAfterClose = 0
    static let maximumDiscardedAfterClose = 64 * 1024
    var lastHeard: UInt64
    var pingSentAt: UInt64?
    /// The handler's inbox is full; not reading until it drains.
    var readPaused = false
    /// UTF-8 checked so far in an incomplete text frame: bytes checked and the validator after them.
    var partialChecked = 0
    var partialValidator: UTF8Validator?
}

extension Connection {
    /// Answers an upgrade request with 101 and hands the connection to `handler`.
    func upgrade(request: Request, head: RequestHead, handler: @escaping WebSocketHandler) {
        let accept: String
        do {
            accept = try WebSocketHandshake.validate(method: request.method, version: request.version, headers: request.headers)
        } catch {
            RequestPipeline.observe(request, error.status, context.router.observer)
            writeResponse(renderError(error, requestID: request.id, accept: request.headers["accept"]),
                          head: head, requestID: request.id, forceClose: true)
            return
        }
        guard !shuttingDown else {
            RequestPipeline.observe(request, .serviceUnavailable, context.router.observer)
            writeResponse(renderError(HTTPError(.serviceUnavailable), requestID: request.id, accept: nil),
                          head: head, requestID: request.id, forceClose: true)
            return
        }
        RequestPipeline.observe(request, .switchingProtocols, context.router.observer)
        output.append(Array(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Accept: \(accept)\r\nX-Request-ID: \(request.id)\r\n\r\n").utf8))
        context.logger.log(.info, "GET \(request.path) 101 websocket id=\(request.id)")
        let limits = context.limits
        let socket = WebSocket(request: request, peer: .connection(LoopBound(self, on: loop)), limits: limits)
        webSocket = WebSocketState(parser: WebSocketFrameParser(maxFrameBytes: limits.maxWebSocketFrameBytes),
                                   assembler: WebSocketAssembler(maxMessageBytes: limits.maxWebSocketMessageBytes),
                                   socket: socket, lastHeard: loop.now)
        outboundGate = socket.gate
        let bound = LoopBound(self, on: loop)
        Task {
            await handler(socket, request)
            // A handler that returns without closing ends the conversation normally.
            bound.execute { connection in connection.closeWebSocket(code: WebSocketCloseCode.normal, reason: "") }
        }
        processWebSocketInput()
    }

    /// Parses frames from the input buffer and acts on them.
    func processWebSocketInput() {
        while !isClosed && !closeAfterWrite, var state = webSocket, !state.readPaused {
            let event = state.parser.next(&input)
            webSocket = state
            switch event {
            case .needMore:
                checkPartialText()
                return
            case .error(let error):
                failWebSocket(error)
                return
            case .frame(let frame):
                if state.closeSent, frame.opcode != .close {
                    state.discardedAfterClose += frame.payload.count
                    webSocket = state
                    if state.discardedAfterClose > WebSocketState.maximumDiscardedAfterClose {
                        // Stop reading; what we owe (our close frame) still goes out, and the
                        // close deadline ends a peer that never reads it.
                        context.logger.log(.info, "\(peer) websocket: still sending after our close, no longer read")
                        closeAfterWrite = true
                        return
                    }
                }
                state.partialChecked = 0
                state.partialValidator = nil
                state.lastHeard = loop.now
                state.pingSentAt = nil
                let assembled = state.assembler.receive(frame)
                webSocket = state
                switch assembled {
                case .none, .pong:
                    break
                case .message(let message):
                    guard !state.closeSent else { break }
                    let bound = LoopBound(self, on: loop)
                    if state.socket.inbox.push(message, onDrain: { bound.execute { connection in connection.resumeWebSocketReading() } }) {
                        webSocket?.readPaused = true
                    }
                case .ping(let payload):
                    if !state.closeSent { output.append(WebSocketFrame(fin: true, opcode: .pong, payload: payload).encoded()) }
                case .close(let code, _):
                    if !state.closeSent {
                        let reply = code.map { WebSocketFrame.close(code: $0) } ?? WebSocketFrame(fin: true, opcode: .close, payload: [])
                        output.append(reply.encoded())
                        webSocket?.closeSent = true
                    }
                    state.socket.markClosed()
                    closeAfterWrite = true
                    return
                case .error(let error):
                    failWebSocket(error)
                    return
                }
            }
        }
    }

    /// Fails fast on invalid UTF-8 inside a text frame that has not fully arrived yet.
    private func checkPartialText() {
        guard var state = webSocket, case .success(let header) = state.parser.peekHeader(input) else { return }
        if state.partialChecked == 0 && state.partialValidator == nil {
            guard let validator = state.assembler.textValidator(continuing: header.opcode) else { return }
            state.partialValidator = validator
        }
        guard var validator = state.partialValidator else { return }
        let bytes = state.parser.partialPayload(input, header, from: state.partialChecked)
        guard !bytes.isEmpty else { return }
        state.partialChecked += bytes.count
        let valid = validator.feed(bytes)
        state.partialValidator = validator
        webSocket = state
        if !valid { failWebSocket(WebSocketProtocolError(code: 1007, reason: "invalid UTF-8")) }
    }

    /// Sends a close frame for a protocol violation and drops the connection once it is written.
    private func failWebSocket(_ error: WebSocketProtocolError) {
        context.logger.log(.info, "\(peer) websocket failed: \(error.code) \(error.reason)")
        if let state = webSocket, !state.closeSent {
            output.append(WebSocketFrame.close(code: error.code, reason: error.reason).encoded())
            webSocket?.closeSent = true
        }
        webSocket?.socket.markClosed()
        closeAfterWrite = true
    }

    private func resumeWebSocketReading() {
        guard !isClosed, webSocket?.readPaused == true else { return }
        webSocket?.readPaused = false
        processWebSocketInput()
        flush()
    }

    /// Queues an outgoing data frame from the handler; it leaves with this wakeup's other writes.
    func enqueueWebSocketData(_ frame: [UInt8]) {
        guard !isClosed, let state = webSocket, !state.closeSent else { return }
        output.append(frame)
        scheduleFlush()
    }

    /// Queues a broadcast frame. A peer that has let `webSocketBroadcastBacklog` bytes pile up is
    /// too slow to follow and is disconnected rather than buffered without bound.
    func enqueueBroadcast(_ frame: [UInt8]) {
        guard !isClosed, let state = webSocket, !state.closeSent else { return }
        if output.count > context.limits.webSocketBroadcastBacklog {
            context.logger.log(.info, "\(peer) websocket dropped: too slow for broadcasts")
            state.socket.markClosed()
            close()
            return
        }
        output.append(frame)
        scheduleFlush()
    }

    /// Starts the closing handshake (handler or shutdown).
    func closeWebSocket(code: UInt16, reason: String) {
        guard !isClosed, let state = webSocket, !state.closeSent else { return }
        output.append(WebSocketFrame.close(code: code, reason: reason).encoded())
        webSocket?.closeSent = true
        webSocket?.closeDeadline = loop.now + UInt64(context.limits.webSocketCloseTimeout * 1000)
        state.socket.markClosed()
        flush()
    }

    /// Close-handshake timeout and keep-alive pings.
    func tickWebSocket(now: UInt64) {
        guard let state = webSocket else { return }
        if state.closeSent {
            if now >= state.closeDeadline { close() }
            return
        }
        let interval = UInt64(context.limits.webSocketPingInterval * 1000)
        if let sent = state.pingSentAt {
            if now &- sent > interval {
                context.logger.log(.info, "\(peer) websocket closed: no answer to ping")
                state.socket.markClosed()
                close()
            }
        } else if now &- state.lastHeard > interval {
            webSocket?.pingSentAt = now
            output.append(WebSocketFrame(fin: true, opcode: .ping, payload: []).encoded())
            flush()
        }
    }
}
