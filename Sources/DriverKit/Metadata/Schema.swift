/// A JSON Schema for a function argument or a setting (the subset in `docs/config-format.md`).
public struct Schema: Sendable, Hashable {
    public var json: JSON

    public init(_ json: JSON) { self.json = json }

    public static let boolean = Schema(["type": "boolean"])
    public static let string = Schema(["type": "string"])
    public static let number = Schema(["type": "number"])
    public static let integer = Schema(["type": "integer"])
    public static let object = Schema(["type": "object"])
    public static let any = Schema([:])

    public static func integer(minimum: Int? = nil, maximum: Int? = nil) -> Schema {
        var members: [String: JSON] = ["type": "integer"]
        if let minimum { members["minimum"] = minimum.json }
        if let maximum { members["maximum"] = maximum.json }
        return Schema(.object(members))
    }

    public static func number(minimum: Double? = nil, maximum: Double? = nil) -> Schema {
        var members: [String: JSON] = ["type": "number"]
        if let minimum { members["minimum"] = minimum.json }
        if let maximum { members["maximum"] = maximum.json }
        return Schema(.object(members))
    }

    public static func oneOf(_ values: [String]) -> Schema {
        Schema(["type": "string", "enum": .array(values.map { .string($0) })])
    }

    public static func array(of items: Schema) -> Schema { Schema(["type": "array", "items": items.json]) }

    /// Why `value` does not fit this schema, or nil when it does.
    public func problem(with value: JSON, at path: String) -> String? {
        if let type = json["type"]?.stringValue {
            let fits: Bool
            switch type {
            case "integer": fits = value.intValue != nil
            case "number": fits = value.doubleValue != nil
            default: fits = value.typeName == type || (type == "number" && value.typeName == "integer")
            }
            if !fits { return "\(path) must be \(type), got \(value.typeName)" }
        }
        if let options = json["enum"]?.arrayValue, !options.contains(value) {
            return "\(path) must be one of \(JSON.array(options).serialized)"
        }
        if let minimum = json["minimum"]?.doubleValue, let v = value.doubleValue, v < minimum {
            return "\(path) must be at least \(JSON.format(minimum))"
        }
        if let maximum = json["maximum"]?.doubleValue, let v = value.doubleValue, v > maximum {
            return "\(path) must be at most \(JSON.format(maximum))"
        }
        if let items = json["items"], let elements = value.arrayValue {
            for (i, element) in elements.enumerated() {
                if let problem = Schema(items).problem(with: element, at: "\(path)[\(i)]") { return problem }
            }
        }
        if let members = value.objectValue {
            for key in json["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where members[key] == nil {
                return "\(path).\(key) is required"
            }
            for (key, sub) in json["properties"]?.objectValue ?? [:] {
                if let member = members[key], let problem = Schema(sub).problem(with: member, at: "\(path).\(key)") {
                    return problem
                }
            }
        }
        return nil
    }
}
