import Synchronization

/// The client end of a WebSocket opened in process (`Router.connectWebSocket`): the same
/// route, gate and handler as over a socket, with whole messages instead of frames. For tests of
/// WebSocket handlers and for in-process callers.
public final class InProcessWebSocket: Sendable {
    private let inbox = WebSocketInbox(highWater: Int.max)
    private let closeCode = Mutex<UInt16?>(nil)
    private let server = Mutex<WebSocket?>(nil)

    init() {}

    func attach(_ socket: WebSocket) { server.withLock { $0 = socket } }

    /// What the server sent, in order; ends when the server closes.
    public var messages: WebSocket.Messages { WebSocket.Messages(inbox: inbox) }

    /// The close code the server sent, once it closed.
    public var serverCloseCode: UInt16? { closeCode.withLock { $0 } }

    /// Sends a text message to the handler.
    public func send(text: String) { deliver(.text(text)) }

    /// Sends a binary message to the handler.
    public func send(binary: [UInt8]) { deliver(.binary(binary)) }

    /// Closes from the client side: the handler's `messages` end.
    public func close() {
        guard let socket = server.withLock({ $0 }) else { return }
        socket.markClosed()
        serverClosed(code: WebSocketCloseCode.normal)
    }

    private func deliver(_ message: WebSocketMessage) {
        guard let socket = server.withLock({ $0 }), !socket.isClosed else { return }
        _ = socket.inbox.push(message, onDrain: {})
    }

    /// Server side: a message for the client.
    func receive(_ message: WebSocketMessage) { _ = inbox.push(message, onDrain: {}) }

    /// Server side: the handler closed (or returned).
    func serverClosed(code: UInt16) {
        closeCode.withLock { if $0 == nil { $0 = code } }
        server.withLock { $0 }?.markClosed()
        inbox.finish()
    }
}

extension Router {
    /// Opens a WebSocket on `request`'s route in process, through the same pipeline as the
    /// server (routing, the gate, the handler): the client end, or the response given instead
    /// (404, 405, the gate's refusal; a plain route's own answer).
    public func connectWebSocket(_ request: Request, limits: Limits = Limits()) async -> Result<InProcessWebSocket, HTTPResponseInstead> {
        switch RequestPipeline.route(request, router: self, errorPage: nil) {
        case .answered(let response):
            return .failure(HTTPResponseInstead(response: response))
        case .immediate(let handler, let request):
            return .failure(HTTPResponseInstead(response: RequestPipeline.run(handler, request, logger: Logger(level: .off), page: nil)))
        case .async(let handler, let request):
            return .failure(HTTPResponseInstead(response: await RequestPipeline.run(handler, request, logger: Logger(level: .off), page: nil)))
        case .webSocket(let handler, let request):
            let client = InProcessWebSocket()
            let socket = WebSocket(request: request, peer: .inProcess(client), limits: limits)
            client.attach(socket)
            Task {
                await handler(socket, request)
                // A handler that returns without closing ends the conversation normally.
                client.serverClosed(code: WebSocketCloseCode.normal)
            }
            return .success(client)
        }
    }
}

/// The HTTP response a WebSocket request got instead of an upgrade.
public struct HTTPResponseInstead: Error, Sendable {
    public let response: Response
}
