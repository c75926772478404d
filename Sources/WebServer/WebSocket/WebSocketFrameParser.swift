/// Reads client frames (RFC 6455 §5.2) from an `InputBuffer`, checking header rules before buffering
/// a payload: masking required, RSV bits clear, known opcodes, control frames final and ≤ 125 bytes,
/// 64-bit lengths with the top bit clear, and the frame size limit.
struct WebSocketFrameParser {
    /// Largest payload accepted (1009 beyond).
    var maxFrameBytes: Int

    enum Event: Equatable {
        case needMore
        case frame(WebSocketFrame)
        case error(WebSocketProtocolError)
    }

    init(maxFrameBytes: Int) { self.maxFrameBytes = maxFrameBytes }

    mutating func next(_ input: inout InputBuffer) -> Event {
        let available = input.readableCount
        guard available >= 2 else { return .needMore }
        let start = input.readerIndex
        let first = input.bytes[start], second = input.bytes[start + 1]
        let fin = first & 0x80 != 0
        guard first & 0x70 == 0 else { return .error(.init(code: 1002, reason: "reserved bits set")) }
        guard let opcode = WebSocketOpcode(rawValue: first & 0x0F) else {
            return .error(.init(code: 1002, reason: "unknown opcode"))
        }
        guard second & 0x80 != 0 else { return .error(.init(code: 1002, reason: "client frame not masked")) }
        var length = Int(second & 0x7F)
        var headerLength = 2
        if opcode.isControl {
            guard fin else { return .error(.init(code: 1002, reason: "fragmented control frame")) }
            guard length <= 125 else { return .error(.init(code: 1002, reason: "control frame too long")) }
        }
        if length == 126 {
            guard available >= 4 else { return .needMore }
            length = Int(input.bytes[start + 2]) << 8 | Int(input.bytes[start + 3])
            guard length >= 126 else { return .error(.init(code: 1002, reason: "non-minimal length")) }
            headerLength = 4
        } else if length == 127 {
            guard available >= 10 else { return .needMore }
            var value: UInt64 = 0
            for offset in 2..<10 { value = value << 8 | UInt64(input.bytes[start + offset]) }
            guard value & (1 << 63) == 0 else { return .error(.init(code: 1002, reason: "length top bit set")) }
            guard value > 0xFFFF else { return .error(.init(code: 1002, reason: "non-minimal length")) }
            guard value <= UInt64(maxFrameBytes) else { return .error(.init(code: 1009, reason: "frame too big")) }
            length = Int(value)
            headerLength = 10
        }
        guard length <= maxFrameBytes else { return .error(.init(code: 1009, reason: "frame too big")) }
        guard available >= headerLength + 4 + length else { return .needMore }
        let maskStart = start + headerLength
        let mask = (input.bytes[maskStart], input.bytes[maskStart + 1], input.bytes[maskStart + 2], input.bytes[maskStart + 3])
        input.readerIndex = maskStart + 4
        var payload = Array(input.read(length))
        Self.unmask(&payload, mask)
        return .frame(WebSocketFrame(fin: fin, opcode: opcode, payload: payload))
    }

    static func unmask(_ payload: inout [UInt8], _ mask: (UInt8, UInt8, UInt8, UInt8)) {
        let word = UInt32(mask.0) | UInt32(mask.1) << 8 | UInt32(mask.2) << 16 | UInt32(mask.3) << 24
        payload.withUnsafeMutableBytes { raw in
            let count = raw.count
            var index = 0
            let wide = UInt64(word) | UInt64(word) << 32
            while index + 8 <= count {
                let value = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                raw.storeBytes(of: value ^ wide, toByteOffset: index, as: UInt64.self)
                index += 8
            }
            let bytes = [mask.0, mask.1, mask.2, mask.3]
            while index < count {
                raw[index] ^= bytes[index & 3]
                index += 1
            }
        }
    }
}
