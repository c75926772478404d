/// WebSocket opcodes (RFC 6455 §5.2).
enum WebSocketOpcode: UInt8, Sendable {
    case continuation = 0x0
    case text = 0x1
    case binary = 0x2
    case close = 0x8
    case ping = 0x9
    case pong = 0xA

    var isControl: Bool { rawValue & 0x8 != 0 }
}

/// One frame, unmasked.
struct WebSocketFrame: Sendable, Equatable {
    var fin: Bool
    var opcode: WebSocketOpcode
    var payload: [UInt8]

    /// The bytes of this frame as a server sends it (never masked).
    func encoded() -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(payload.count + 10)
        Self.appendHeader(to: &bytes, fin: fin, opcode: opcode, length: payload.count)
        bytes.append(contentsOf: payload)
        return bytes
    }

    /// Writes a server frame header for a payload of `length` bytes.
    static func appendHeader(to bytes: inout [UInt8], fin: Bool, opcode: WebSocketOpcode, length: Int) {
        bytes.append((fin ? 0x80 : 0) | opcode.rawValue)
        if length < 126 {
            bytes.append(UInt8(length))
        } else if length <= 0xFFFF {
            bytes.append(126)
            bytes.append(UInt8(length >> 8))
            bytes.append(UInt8(length & 0xFF))
        } else {
            bytes.append(127)
            for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8((length >> shift) & 0xFF)) }
        }
    }

    /// A close frame with a code and a reason.
    static func close(code: UInt16, reason: String = "") -> WebSocketFrame {
        var payload = [UInt8(code >> 8), UInt8(code & 0xFF)]
        payload.append(contentsOf: Array(reason.utf8.prefix(123)))
        return WebSocketFrame(fin: true, opcode: .close, payload: payload)
    }
}

/// Close codes we send (RFC 6455 §7.4.1).
public enum WebSocketCloseCode {
    /// 1000.
    public static let normal: UInt16 = 1000
    /// 1001.
    public static let goingAway: UInt16 = 1001
    /// 1002.
    public static let protocolError: UInt16 = 1002
    /// 1003.
    public static let unsupportedData: UInt16 = 1003
    /// 1007.
    public static let invalidPayload: UInt16 = 1007
    /// 1008.
    public static let policyViolation: UInt16 = 1008
    /// 1009.
    public static let messageTooBig: UInt16 = 1009
    /// 1011.
    public static let internalError: UInt16 = 1011

    /// Whether a peer may send `code` in a close frame.
    static func isValidReceived(_ code: UInt16) -> Bool {
        switch code {
        case 1000...1003, 1007...1011, 3000...4999: true
        default: false
        }
    }
}

/// Why the peer's bytes broke the protocol: the close code to send and a short reason.
struct WebSocketProtocolError: Error, Equatable, Sendable {
    var code: UInt16
    var reason: String
}
