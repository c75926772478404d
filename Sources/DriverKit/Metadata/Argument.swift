/// One declared argument of a driver function.
public struct Argument: Sendable, Hashable {
    public let name: String
    public let schema: Schema
    /// When set, the argument is optional and takes this value when omitted.
    public let defaultValue: JSON?

    public init(_ name: String, _ schema: Schema, default defaultValue: JSON? = nil) {
        self.name = name
        self.schema = schema
        self.defaultValue = defaultValue
    }

    var json: JSON {
        var members: [String: JSON] = ["name": .string(name), "schema": schema.json]
        if let defaultValue { members["default"] = defaultValue }
        return .object(members)
    }
}
