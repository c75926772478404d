/// The bound arguments of one call, read by name and type.
public struct Arguments: Sendable {
    public let function: String
    public let values: [String: JSON]

    /// The argument `name` as `T`; a missing or mistyped argument is a `bad_arguments` error.
    public func get<T: JSONReadable>(_ name: String, as type: T.Type = T.self) throws(DriverError) -> T {
        guard let raw = values[name] else { throw .badArguments("\(function): missing argument \"\(name)\"") }
        guard let value = T(json: raw) else {
            throw .badArguments("\(function): argument \"\(name)\" must be \(T.self), got \(raw.typeName)")
        }
        return value
    }

    /// The argument `name` as `T`, or nil when it is absent or null.
    public func optional<T: JSONReadable>(_ name: String, as type: T.Type = T.self) throws(DriverError) -> T? {
        guard let raw = values[name], raw != .null else { return nil }
        return try get(name, as: type)
    }
}
