/// A git object id (SHA-1), as 40 lowercase hex digits.
///
/// An object's *version* in the configuration is the blob id of its file.
public struct ObjectID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The 40 lowercase hex digits.
    public let hex: String

    /// Accepts exactly 40 hex digits (any case); nil otherwise.
    public init?(hex: String) {
        guard hex.utf8.count == 40, hex.utf8.allSatisfy({ $0.isHexDigit }) else { return nil }
        self.hex = hex.lowercased()
    }

    /// The first 10 digits, for display.
    public var short: String { String(hex.prefix(10)) }

    public var description: String { hex }

    public static func < (lhs: ObjectID, rhs: ObjectID) -> Bool { lhs.hex < rhs.hex }
}

extension UInt8 {
    fileprivate var isHexDigit: Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self)
            || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(self)
            || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(self)
    }
}
