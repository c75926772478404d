/// The declared shape of a callable function: what `--metadata` reports under `functions`.
public struct FunctionSpec: Sendable {
    public let name: String
    public let description: String?
    public let arguments: [Argument]
    public let security: Security?

    public init(name: String, description: String? = nil, arguments: [Argument] = [], security: Security? = nil) {
        self.name = name
        self.description = description
        self.arguments = arguments
        self.security = security
    }

    var json: JSON {
        var members: [String: JSON] = [
            "args": .array(arguments.map(\.json)),
            "security": security.map { .string($0.rawValue) } ?? .null,
        ]
        if let description { members["description"] = .string(description) }
        return .object(members)
    }

    /// Binds positional or named call arguments to the declared names, applying defaults and
    /// checking each value against its schema.
    public func bind(_ args: JSON) throws(DriverError) -> Arguments {
        var values: [String: JSON] = [:]
        switch args {
        case .null:
            break
        case .array(let positional):
            guard positional.count <= arguments.count else {
                throw .badArguments("\(name) takes at most \(arguments.count) argument\(arguments.count == 1 ? "" : "s"), got \(positional.count)")
            }
            for (argument, value) in zip(arguments, positional) { values[argument.name] = value }
        case .object(let named):
            for key in named.keys where !arguments.contains(where: { $0.name == key }) {
                throw .badArguments("\(name) has no argument \"\(key)\"")
            }
            values = named
        default:
            throw .badArguments("args must be an array or an object")
        }
        for argument in arguments {
            if let value = values[argument.name] {
                if let problem = argument.schema.problem(with: value, at: argument.name) {
                    throw .badArguments("\(name): \(problem)")
                }
            } else if let fallback = argument.defaultValue {
                values[argument.name] = fallback
            } else {
                throw .badArguments("\(name): missing argument \"\(argument.name)\"")
            }
        }
        return Arguments(function: name, values: values)
    }
}
