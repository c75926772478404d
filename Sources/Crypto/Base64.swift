/// Standard base64 (RFC 4648 §4) with padding: the WebSocket handshake, HTTP Basic credentials.
public enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    public static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index + 3 <= bytes.count {
            let value = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            for shift in [18, 12, 6, 0] { out.append(alphabet[Int((value >> UInt32(shift)) & 63)]) }
            index += 3
        }
        let rest = bytes.count - index
        if rest > 0 {
            var value = UInt32(bytes[index]) << 16
            if rest == 2 { value |= UInt32(bytes[index + 1]) << 8 }
            out.append(alphabet[Int((value >> 18) & 63)])
            out.append(alphabet[Int((value >> 12) & 63)])
            out.append(rest == 2 ? alphabet[Int((value >> 6) & 63)] : 0x3D)
            out.append(0x3D)
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static func decode(_ text: String) -> [UInt8]? {
        let input = Array(text.utf8)
        guard input.count % 4 == 0 else { return nil }
        var out: [UInt8] = []
        var index = 0
        while index < input.count {
            var value: UInt32 = 0
            var padding = 0
            for offset in 0..<4 {
                let byte = input[index + offset]
                let digit: UInt32
                switch byte {
                case 0x41...0x5A: digit = UInt32(byte - 0x41)
                case 0x61...0x7A: digit = UInt32(byte - 0x61 + 26)
                case 0x30...0x39: digit = UInt32(byte - 0x30 + 52)
                case 0x2B: digit = 62
                case 0x2F: digit = 63
                case 0x3D:
                    guard index + 4 == input.count, offset >= 2 else { return nil }
                    padding += 1
                    digit = 0
                default: return nil
                }
                if padding > 0 && byte != 0x3D { return nil }
                value = value << 6 | digit
            }
            out.append(UInt8(value >> 16))
            if padding < 2 { out.append(UInt8((value >> 8) & 0xFF)) }
            if padding < 1 { out.append(UInt8(value & 0xFF)) }
            index += 4
        }
        return out
    }
}
