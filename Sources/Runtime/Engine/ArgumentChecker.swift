import ConfigRepo

/// Checks exec arguments against a function's argument schemas (driver protocol §5) before
/// anything is sent, so drivers only see well-typed calls: the arity and names here, each
/// value against its schema with `JSONSchemaChecker` (the subset of `docs/config-format.md`).
enum ArgumentChecker {
    /// Nil when `args` (an array of positional or an object of named arguments) fit.
    static func problem(with args: JSONValue, for function: FunctionSpec) -> String? {
        let parameters = function.arguments
        let required = parameters.filter { !$0.hasDefault }.count
        let signature = "\(function.name)(\(parameters.map { $0.hasDefault ? $0.name + "?" : $0.name }.joined(separator: ", ")))"
        switch args {
        case .array(let values):
            guard values.count >= required, values.count <= parameters.count else {
                let expected = required == parameters.count ? "\(required)" : "\(required) to \(parameters.count)"
                return "\(signature) takes \(expected) argument\(parameters.count == 1 ? "" : "s"), got \(values.count)"
            }
            for (value, parameter) in zip(values, parameters) {
                if let problem = problem(in: value, schema: parameter.schema, at: parameter.name) {
                    return "\(signature): \(problem)"
                }
            }
        case .object(let members):
            for name in members.keys.sorted() where !parameters.contains(where: { $0.name == name }) {
                return "\(signature) has no argument `\(name)`"
            }
            for parameter in parameters {
                guard let value = members[parameter.name] else {
                    if !parameter.hasDefault { return "\(signature): argument `\(parameter.name)` is missing" }
                    continue
                }
                if let problem = problem(in: value, schema: parameter.schema, at: parameter.name) {
                    return "\(signature): \(problem)"
                }
            }
        default:
            return "arguments must be a JSON array (positional) or object (named), got \(args.typeName)"
        }
        return nil
    }

    /// The first place `value` breaks the argument's schema (ConfigRepo's schema checker, the
    /// same one metadata and settings go through).
    static func problem(in value: JSONValue, schema: JSONValue, at path: String) -> String? {
        JSONSchemaChecker().problems(in: value, against: schema, at: path).first.map { "`\($0.path)` \($0.message)" }
    }
}
