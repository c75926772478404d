/// Checks JSON against the subset of JSON Schema that metadata and settings use:
/// `type`, `properties`, `required`, `additionalProperties` (boolean), `items`, `enum`,
/// `const`, `minimum`, `maximum`, `minLength`, `maxLength`. The runtime checks exec arguments
/// against driver function schemas with it too.
public struct JSONSchemaChecker: Sendable {
    public struct Problem: Equatable, Sendable {
        public var path: String
        public var message: String
    }

    public init() {}

    private static let types = ["object", "array", "string", "number", "integer", "boolean", "null"]

    /// Where `value` breaks `schema`, with JSON paths under `path`.
    public func problems(in value: JSONValue, against schema: JSONValue, at path: String) -> [Problem] {
        guard let rules = schema.objectValue else { return [] }
        var found: [Problem] = []
        if let type = rules["type"] {
            let allowed = type.arrayValue?.compactMap(\.stringValue) ?? [type.stringValue].compactMap { $0 }
            if !allowed.isEmpty, !allowed.contains(where: { matches(value, type: $0) }) {
                return [Problem(path: path, message: "must be of type \(allowed.joined(separator: " or ")), found \(describe(value))")]
            }
        }
        if let options = rules["enum"]?.arrayValue, !options.contains(value) {
            found.append(Problem(path: path, message: "must be one of \(options.map(JSONWriter.compactString).joined(separator: ", "))"))
        }
        if let constant = rules["const"], constant != value {
            found.append(Problem(path: path, message: "must be \(JSONWriter.compactString(constant))"))
        }
        if let number = value.doubleValue {
            if let minimum = rules["minimum"]?.doubleValue, number < minimum {
                found.append(Problem(path: path, message: "must be at least \(JSONWriter.compactString(rules["minimum"]!))"))
            }
            if let maximum = rules["maximum"]?.doubleValue, number > maximum {
                found.append(Problem(path: path, message: "must be at most \(JSONWriter.compactString(rules["maximum"]!))"))
            }
        }
        if let text = value.stringValue {
            if let minimum = rules["minLength"]?.intValue, text.count < minimum {
                found.append(Problem(path: path, message: "must be at least \(minimum) characters long"))
            }
            if let maximum = rules["maxLength"]?.intValue, text.count > maximum {
                found.append(Problem(path: path, message: "must be at most \(maximum) characters long"))
            }
        }
        if let members = value.objectValue {
            let properties = rules["properties"]?.objectValue ?? [:]
            for name in rules["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where members[name] == nil {
                found.append(Problem(path: join(path, name), message: "is required by the schema"))
            }
            for name in JSONWriter.sortedKeys(members) {
                if let propertySchema = properties[name] {
                    found += problems(in: members[name]!, against: propertySchema, at: join(path, name))
                } else if rules["additionalProperties"]?.boolValue == false {
                    found.append(Problem(path: join(path, name), message: "is not allowed by the schema (allowed: \(properties.keys.sorted().joined(separator: ", ")))"))
                }
            }
        }
        if let elements = value.arrayValue, let itemSchema = rules["items"] {
            for (index, element) in elements.enumerated() {
                found += problems(in: element, against: itemSchema, at: "\(path)[\(index)]")
            }
        }
        return found
    }

    /// Problems with a schema itself (unknown type names, wrong member types).
    func structuralProblems(of schema: JSONValue, at path: String) -> [Problem] {
        guard let rules = schema.objectValue else {
            return [Problem(path: path, message: "must be a JSON Schema object, found \(describe(schema))")]
        }
        var found: [Problem] = []
        if let type = rules["type"] {
            let names = type.arrayValue?.map(\.stringValue) ?? [type.stringValue]
            for name in names where !Self.types.contains(name ?? "") {
                found.append(Problem(path: "\(path).type", message: "must be one of \(Self.types.joined(separator: ", "))"))
            }
        }
        if let properties = rules["properties"] {
            if let members = properties.objectValue {
                for name in JSONWriter.sortedKeys(members) {
                    found += structuralProblems(of: members[name]!, at: "\(path).properties.\(name)")
                }
            } else {
                found.append(Problem(path: "\(path).properties", message: "must be an object"))
            }
        }
        if let required = rules["required"], required.arrayValue?.allSatisfy({ $0.stringValue != nil }) != true {
            found.append(Problem(path: "\(path).required", message: "must be a list of property names"))
        }
        if let items = rules["items"] { found += structuralProblems(of: items, at: "\(path).items") }
        return found
    }

    private func matches(_ value: JSONValue, type: String) -> Bool {
        switch type {
        case "object": value.objectValue != nil
        case "array": value.arrayValue != nil
        case "string": value.stringValue != nil
        case "number": value.doubleValue != nil
        case "integer": value.intValue != nil
        case "boolean": value.boolValue != nil
        case "null": value.isNull
        default: true
        }
    }

    private func join(_ path: String, _ name: String) -> String { path.isEmpty ? name : "\(path).\(name)" }
}
