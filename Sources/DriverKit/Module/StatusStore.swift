/// A module's status: the last value of each key. Setting a key publishes only real changes.
public struct StatusStore: Sendable {
    public private(set) var values: [String: JSON] = [:]

    public init() {}

    /// Records `value` under `key`; returns true when that is a change worth publishing.
    public mutating func set(_ key: String, _ value: JSON) -> Bool {
        if value == .null { return values.removeValue(forKey: key) != nil }
        if values[key] == value { return false }
        values[key] = value
        return true
    }

    public subscript(key: String) -> JSON? { values[key] }
}
