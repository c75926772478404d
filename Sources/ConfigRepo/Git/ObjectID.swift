/// A git object id (SHA-1): 20 bytes, written as 40 lowercase hex digits.
///
/// An object's *version* in the configuration is the blob id of its file.
public struct ObjectID: Hashable, Sendable, Comparable, CustomStringConvertible {
    // The 20 bytes as big-endian words, so comparing the words compares the bytes (and the hex).
    private let high: UInt64
    private let middle: UInt64
    private let low: UInt32

    /// Accepts exactly 40 hex digits (any case); nil otherwise.
    public init?(hex: String) {
        var bytes = [UInt8](repeating: 0, count: 20)
        var utf8 = hex.utf8.makeIterator()
        for index in 0..<40 {
            guard let digit = utf8.next(), let value = Self.hexValue(digit) else { return nil }
            bytes[index / 2] |= index % 2 == 0 ? value << 4 : value
        }
        guard utf8.next() == nil else { return nil }
        self = bytes.withUnsafeBytes { ObjectID(bytes: $0) }
    }

    /// The id held in the first 20 bytes of `bytes`.
    init(bytes: UnsafeRawBufferPointer) {
        precondition(bytes.count >= 20, "an object id is 20 bytes")
        high = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
        middle = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        low = UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: 16, as: UInt32.self))
    }

    /// The 40 lowercase hex digits.
    public var hex: String {
        String(unsafeUninitializedCapacity: 40) { buffer in
            withBytes { raw in
                for index in 0..<20 {
                    buffer[2 * index] = Self.hexDigits[Int(raw[index] >> 4)]
                    buffer[2 * index + 1] = Self.hexDigits[Int(raw[index] & 0x0f)]
                }
            }
            return 40
        }
    }

    /// The first 10 digits, for display.
    public var short: String { String(hex.prefix(10)) }

    public var description: String { hex }

    public static func < (lhs: ObjectID, rhs: ObjectID) -> Bool {
        (lhs.high, lhs.middle, lhs.low) < (rhs.high, rhs.middle, rhs.low)
    }

    /// The first byte (a pack index's fan-out slot, a loose object's folder).
    var firstByte: UInt8 { UInt8(truncatingIfNeeded: high >> 56) }

    /// Calls `body` with the 20 bytes.
    func withBytes<T>(_ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
        var words = (high.bigEndian, middle.bigEndian, low.bigEndian)
        return try withUnsafeBytes(of: &words) { raw in try body(UnsafeRawBufferPointer(rebasing: raw[0..<20])) }
    }

    /// Appends the 20 bytes.
    func append(to output: inout [UInt8]) {
        withBytes { output.append(contentsOf: $0) }
    }

    /// Compares with the 20 bytes at `raw` (an id inside a tree or a pack index): <0, 0, >0.
    func compare(toBytesAt raw: UnsafeRawPointer) -> Int {
        let otherHigh = UInt64(bigEndian: raw.loadUnaligned(as: UInt64.self))
        if high != otherHigh { return high < otherHigh ? -1 : 1 }
        let otherMiddle = UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        if middle != otherMiddle { return middle < otherMiddle ? -1 : 1 }
        let otherLow = UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: 16, as: UInt32.self))
        if low != otherLow { return low < otherLow ? -1 : 1 }
        return 0
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    private static func hexValue(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
