import ConfigRepo

/// A comparison side that reads a status of a module of the instance's system:
/// `{"mod": "Occupancy_1", "status": "people_count", "keys": ["north"]}`.
public struct StatusReference: Sendable, Hashable, CustomStringConvertible {
    /// The module's `Name_index` parts.
    public var name: String
    public var index: Int
    public var status: String
    /// Keys to dig into an object value (PlaceOS: each key descends one level).
    public var keys: [String]

    public init(name: String, index: Int, status: String, keys: [String] = []) {
        self.name = name
        self.index = index
        self.status = status
        self.keys = keys
    }

    /// `Occupancy_1.people_count` (`.north` per key).
    public var description: String { ([ "\(name)_\(index).\(status)"] + keys).joined(separator: ".") }

    /// The value at `keys` inside a status value; nil when the status is unset or a key is
    /// missing (or the value there is not an object to descend into).
    public func dig(_ value: JSONValue?) -> JSONValue? {
        guard var current = value, !current.isNull else { return nil }
        for key in keys {
            guard let next = current.objectValue?[key], !next.isNull else { return nil }
            current = next
        }
        return current
    }
}
