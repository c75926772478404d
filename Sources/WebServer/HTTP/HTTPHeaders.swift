/// An ordered list of header fields. Lookups ignore case; names from requests arrive lowercased.
public struct HTTPHeaders: Sendable, Sequence, ExpressibleByDictionaryLiteral {
    /// The fields in order, as (name, value).
    public private(set) var fields: [(name: String, value: String)] = []

    /// An empty header list.
    public init() {}

    /// Headers from literal pairs, in order.
    public init(dictionaryLiteral elements: (String, String)...) {
        for (name, value) in elements { fields.append((name, value)) }
    }

    /// The first value of `name`, if present.
    public subscript(name: String) -> String? {
        for field in fields where field.name.utf8.count == name.utf8.count && equalsIgnoringCase(field.name, name) {
            return field.value
        }
        return nil
    }

    /// All values of `name`, in order.
    public func values(_ name: String) -> [String] {
        fields.filter { equalsIgnoringCase($0.name, name) }.map(\.value)
    }

    /// Whether a field named `name` is present.
    public func contains(_ name: String) -> Bool { self[name] != nil }

    /// Adds a field, keeping any existing ones of the same name.
    public mutating func add(_ name: String, _ value: String) { fields.append((name, value)) }

    /// Replaces every field named `name` with one field.
    public mutating func set(_ name: String, _ value: String) {
        remove(name)
        fields.append((name, value))
    }

    /// Removes every field named `name`.
    public mutating func remove(_ name: String) {
        fields.removeAll { equalsIgnoringCase($0.name, name) }
    }

    /// Whether the comma-separated list in `name` contains `token` (case-insensitive).
    public func containsToken(_ token: String, in name: String) -> Bool {
        for value in values(name) {
            for part in value.split(separator: ",") where equalsIgnoringCase(trimmed(part), token) {
                return true
            }
        }
        return false
    }

    /// Iterates the fields in order.
    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> { fields.makeIterator() }

    /// The number of fields.
    public var count: Int { fields.count }
}

/// ASCII case-insensitive comparison.
func equalsIgnoringCase<A: StringProtocol, B: StringProtocol>(_ a: A, _ b: B) -> Bool {
    var left = a.utf8.makeIterator()
    var right = b.utf8.makeIterator()
    while true {
        let x = left.next(), y = right.next()
        if x == nil && y == nil { return true }
        guard let x, let y else { return false }
        if x == y { continue }
        if x | 0x20 == y | 0x20, (x | 0x20) >= 0x61, (x | 0x20) <= 0x7A { continue }
        return false
    }
}

/// Trims spaces and tabs from both ends.
func trimmed<S: StringProtocol>(_ text: S) -> Substring {
    var slice = Substring(text)
    while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
    while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
    return slice
}
