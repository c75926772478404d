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

    /// A frame header, validated, with where its payload starts.
    struct Header {
        var fin: Bool
        var opcode: WebSocketOpcode
        var length: Int
        /// Header bytes including the masking key.
        var headerLength: Int
        var mask: (UInt8, UInt8, UInt8, UInt8)
    }

    /// Reads and checks the header of the frame at the reader index without consuming anything.
    /// Nil when more bytes are needed.
    func peekHeader(_ input: InputBuffer) -> Result<Header, WebSocketProtocolError>? {
        let available = input.readableCount
        guard available >= 2 else { return nil }
        let start = input.readerIndex
        let first = input.bytes[start], second = input.bytes[start + 1]
        let fin = first & 0x80 != 0
        guard first & 0x70 == 0 else { return .failure(.init(code: 1002, reason: "reserved bits set")) }
        guard let opcode = WebSocketOpcode(rawValue: first & 0x0F) else {
            return .failure(.init(code: 1002, reason: "unknown opcode"))
        }
        guard second & 0x80 != 0 else { return .failure(.init(code: 1002, reason: "client frame not masked")) }
        var length = Int(second & 0x7F)
        var headerLength = 2
        if opcode.isControl {
            guard fin else { return .failure(.init(code: 1002, reason: "fragmented control frame")) }
            guard length <= 125 else { return .failure(.init(code: 1002, reason: "control frame too long")) }
        }
        if length == 126 {
            guard available >= 4 else { return nil }
            length = Int(input.bytes[start + 2]) << 8 | Int(input.bytes[start + 3])
            guard length >= 126 else { return .failure(.init(code: 1002, reason: "non-minimal length")) }
            headerLength = 4
        } else if length == 127 {
            guard available >= 10 else { return nil }
            var value: UInt64 = 0
            for offset in 2..<10 { value = value << 8 | UInt64(input.bytes[start + offset]) }
            guard value & (1 << 63) == 0 else { return .failure(.init(code: 1002, reason: "length top bit set")) }
            guard value > 0xFFFF else { return .failure(.init(code: 1002, reason: "non-minimal length")) }
            guard value <= UInt64(maxFrameBytes) else { return .failure(.init(code: 1009, reason: "frame too big")) }
            length = Int(value)
            headerLength = 10
        }
        guard length <= maxFrameBytes else { return .failure(.init(code: 1009, reason: "frame too big")) }
        guard available >= headerLength + 4 else { return nil }
        let maskStart = start + headerLength
        let mask = (input.bytes[maskStart], input.bytes[maskStart + 1], input.bytes[maskStart + 2], input.bytes[maskStart + 3])
        return .success(Header(fin: fin, opcode: opcode, length: length, headerLength: headerLength + 4, mask: mask))
    }

    mutating func next(_ input: inout InputBuffer) -> Event {
        guard let peeked = peekHeader(input) else { return .needMore }
        let header: Header
        switch peeked {
        case .failure(let error): return .error(error)
        case .success(let value): header = value
        }
        guard input.readableCount >= header.headerLength + header.length else { return .needMore }
        input.readerIndex += header.headerLength
        var payload = Array(input.read(header.length))
        Self.unmask(&payload, header.mask)
        return .frame(WebSocketFrame(fin: header.fin, opcode: header.opcode, payload: payload))
    }

    /// The unmasked payload bytes of the incomplete frame at the reader index, from `offset` on
    /// (for checking text before the whole frame has arrived).
    func partialPayload(_ input: InputBuffer, _ header: Header, from offset: Int) -> [UInt8] {
        let available = min(header.length, input.readableCount - header.headerLength)
        guard available > offset else { return [] }
        let start = input.readerIndex + header.headerLength
        let mask = [header.mask.0, header.mask.1, header.mask.2, header.mask.3]
        var bytes = Array(input.bytes[(start + offset)..<(start + available)])
        for index in bytes.indices { bytes[index] ^= mask[(offset + index) & 3] }
        return bytes
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
