/// A complete WebSocket message.
public enum WebSocketMessage: Sendable, Equatable {
    case text(String)
    case binary([UInt8])
}

/// Turns frames into messages and control events (RFC 6455 §5.4–5.5): fragmentation rules,
/// interleaved control frames, incremental UTF-8 checking of text, the message size limit and
/// close-frame validation.
struct WebSocketAssembler {
    var maxMessageBytes: Int

    enum Event: Equatable {
        /// A fragment was absorbed; nothing to report yet.
        case none
        case message(WebSocketMessage)
        case ping([UInt8])
        case pong([UInt8])
        /// The peer's close: its code (nil when the payload was empty) and reason.
        case close(code: UInt16?, reason: String)
        case error(WebSocketProtocolError)
    }

    private var openOpcode: WebSocketOpcode?
    private var buffer: [UInt8] = []
    private var utf8 = UTF8Validator()

    init(maxMessageBytes: Int) { self.maxMessageBytes = maxMessageBytes }

    /// A validator positioned where a frame with `opcode` would continue, if that frame carries text
    /// (for failing fast on invalid UTF-8 before the frame is complete). Nil for anything else.
    func textValidator(continuing opcode: WebSocketOpcode) -> UTF8Validator? {
        switch opcode {
        case .text: openOpcode == nil ? UTF8Validator() : nil
        case .continuation: openOpcode == .text ? utf8 : nil
        default: nil
        }
    }

    mutating func receive(_ frame: WebSocketFrame) -> Event {
        switch frame.opcode {
        case .ping: return .ping(frame.payload)
        case .pong: return .pong(frame.payload)
        case .close: return Self.parseClose(frame.payload)
        case .text, .binary:
            guard openOpcode == nil else { return .error(.init(code: 1002, reason: "new message inside a fragmented one")) }
            openOpcode = frame.opcode
            buffer.removeAll(keepingCapacity: true)
            utf8 = UTF8Validator()
            return append(frame)
        case .continuation:
            guard openOpcode != nil else { return .error(.init(code: 1002, reason: "continuation without a message")) }
            return append(frame)
        }
    }

    private mutating func append(_ frame: WebSocketFrame) -> Event {
        guard frame.payload.count <= maxMessageBytes - buffer.count else {
            return .error(.init(code: 1009, reason: "message too big"))
        }
        if openOpcode == .text {
            guard utf8.feed(frame.payload) else { return .error(.init(code: 1007, reason: "invalid UTF-8")) }
        }
        if buffer.isEmpty && frame.fin {
            return finish(frame.payload)
        }
        buffer.append(contentsOf: frame.payload)
        guard frame.fin else { return .none }
        let whole = buffer
        buffer = []
        return finish(whole)
    }

    private mutating func finish(_ payload: [UInt8]) -> Event {
        let opcode = openOpcode
        openOpcode = nil
        if opcode == .text {
            guard utf8.isComplete else { return .error(.init(code: 1007, reason: "invalid UTF-8")) }
            return .message(.text(String(decoding: payload, as: UTF8.self)))
        }
        return .message(.binary(payload))
    }

    static func parseClose(_ payload: [UInt8]) -> Event {
        if payload.isEmpty { return .close(code: nil, reason: "") }
        guard payload.count >= 2 else { return .error(.init(code: 1002, reason: "one-byte close payload")) }
        let code = UInt16(payload[0]) << 8 | UInt16(payload[1])
        guard WebSocketCloseCode.isValidReceived(code) else { return .error(.init(code: 1002, reason: "invalid close code")) }
        let reasonBytes = Array(payload[2...])
        var validator = UTF8Validator()
        guard validator.feed(reasonBytes), validator.isComplete else {
            return .error(.init(code: 1007, reason: "invalid UTF-8 in close reason"))
        }
        return .close(code: code, reason: String(decoding: reasonBytes, as: UTF8.self))
    }
}
