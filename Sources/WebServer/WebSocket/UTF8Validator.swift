/// Incremental UTF-8 validation (RFC 3629): feed bytes in pieces, learn at once when they go wrong.
///
/// A table-free state machine over expected continuation bytes and the allowed range of the next
/// byte, so overlong forms, surrogates and values past U+10FFFF are caught mid-sequence.
struct UTF8Validator: Sendable {
    private var needed = 0
    private var lower: UInt8 = 0x80
    private var upper: UInt8 = 0xBF

    /// Whether the bytes so far end on a character boundary.
    var isComplete: Bool { needed == 0 }

    /// Feeds bytes; false as soon as they cannot be the start of valid UTF-8.
    mutating func feed<C: Collection>(_ bytes: C) -> Bool where C.Element == UInt8 {
        for byte in bytes {
            if needed == 0 {
                if byte < 0x80 { continue }
                switch byte {
                case 0xC2...0xDF: needed = 1
                case 0xE0: needed = 2; lower = 0xA0
                case 0xE1...0xEC, 0xEE, 0xEF: needed = 2
                case 0xED: needed = 2; upper = 0x9F
                case 0xF0: needed = 3; lower = 0x90
                case 0xF1...0xF3: needed = 3
                case 0xF4: needed = 3; upper = 0x8F
                default: return false
                }
            } else {
                guard byte >= lower && byte <= upper else { return false }
                lower = 0x80
                upper = 0xBF
                needed -= 1
            }
        }
        return true
    }

    /// Feeds bytes with a fast path for ASCII runs.
    mutating func feed(_ bytes: [UInt8]) -> Bool {
        if needed == 0 {
            let allASCII = bytes.withUnsafeBytes { raw -> Bool in
                var index = 0
                let count = raw.count
                while index + 8 <= count {
                    if raw.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { return false }
                    index += 8
                }
                while index < count {
                    if raw[index] & 0x80 != 0 { return false }
                    index += 1
                }
                return true
            }
            if allASCII { return true }
        }
        return feed(bytes[...])
    }
}
