import ConfigRepo

/// What a driver says about itself in `ready` (driver protocol §5), as far as the core uses it.
public struct DriverMetadata: Sendable, Hashable {
    public var name: String
    public var role: Int?
    /// Callable functions by name.
    public var functions: [String: FunctionSpec]
    /// The whole metadata object as sent.
    public var json: JSONValue

    public init(json: JSONValue) {
        self.json = json
        name = json["name"]?.stringValue ?? "driver"
        role = json["role"]?.intValue
        var functions: [String: FunctionSpec] = [:]
        for (name, value) in json["functions"]?.objectValue ?? [:] {
            functions[name] = FunctionSpec(name: name, json: value)
        }
        self.functions = functions
    }
}

/// One function of a driver: its arguments (each with a JSON Schema) and security level.
public struct FunctionSpec: Sendable, Hashable {
    public struct Argument: Sendable, Hashable {
        public var name: String
        public var schema: JSONValue
        /// An argument with a default may be left out.
        public var hasDefault: Bool
    }

    public var name: String
    public var arguments: [Argument]
    /// The least role allowed to call it: `.user` for `null`, `.support`, `.admin` for `administrator`.
    public var requiredRole: Role
    public var json: JSONValue

    public init(name: String, json: JSONValue) {
        self.name = name
        self.json = json
        arguments = (json["args"]?.arrayValue ?? []).enumerated().map { index, arg in
            Argument(name: arg["name"]?.stringValue ?? "arg\(index + 1)", schema: arg["schema"] ?? .object([:]),
                     hasDefault: arg["default"] != nil)
        }
        // As Principal.mayExecute: no annotation is anyone's, an unknown one is the administrator's (fail closed).
        requiredRole = switch json["security"]?.stringValue {
        case nil, "": .user
        case "support": .support
        default: .admin
        }
    }
}
