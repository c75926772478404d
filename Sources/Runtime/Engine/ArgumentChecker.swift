import ConfigRepo

/// Checks exec arguments against a function's argument schemas (driver protocol §5) before
/// anything is sent, so drivers only see well-typed calls. Covers the schema subset of
/// `docs/config-format.md`: `type`, `enum`, `minimum`, `maximum`, `items`, `properties`, `required`.
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

    static func problem(in value: JSONValue, schema: JSONValue, at path: String) -> String? {
        guard let rules = schema.objectValue else { return nil }
        if let type = rules["type"] {
            let allowed = type.arrayValue?.compactMap(\.stringValue) ?? [type.stringValue].compactMap { $0 }
            if !allowed.isEmpty, !allowed.contains(where: { matches(value, $0) }) {
                return "`\(path)` must be \(allowed.joined(separator: " or ")), got \(value.typeName) \(excerpt(value))"
            }
        }
        if let options = rules["enum"]?.arrayValue, !options.contains(value) {
            return "`\(path)` must be one of \(options.map(JSONWriter.compactString).joined(separator: ", ")), got \(excerpt(value))"
        }
        if let number = value.doubleValue {
            if let minimum = rules["minimum"]?.doubleValue, number < minimum { return "`\(path)` must be at least \(JSONWriter.compactString(rules["minimum"]!))" }
            if let maximum = rules["maximum"]?.doubleValue, number > maximum { return "`\(path)` must be at most \(JSONWriter.compactString(rules["maximum"]!))" }
        }
        if let elements = value.arrayValue, let items = rules["items"] {
            for (index, element) in elements.enumerated() {
                if let problem = problem(in: element, schema: items, at: "\(path)[\(index)]") { return problem }
            }
        }
        if let members = value.objectValue {
            for name in rules["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where members[name] == nil {
                return "`\(path).\(name)` is required"
            }
            let properties = rules["properties"]?.objectValue ?? [:]
            for name in members.keys.sorted() {
                if let schema = properties[name], let problem = problem(in: members[name]!, schema: schema, at: "\(path).\(name)") {
                    return problem
                }
            }
        }
        return nil
    }

    private static func matches(_ value: JSONValue, _ type: String) -> Bool {
        switch (type, value) {
        case ("null", .null), ("boolean", .bool), ("string", .string), ("array", .array), ("object", .object), ("number", .number): true
        case ("integer", .number): value.intValue != nil || (value.doubleValue.map { $0 == $0.rounded() } ?? false)
        default: false
        }
    }

    private static func excerpt(_ value: JSONValue) -> String {
        let text = JSONWriter.compactString(value)
        return text.count > 40 ? String(text.prefix(40)) + "…" : text
    }
}
