import ConfigRepo

/// A driver function as a form: one input per argument chosen from its JSON Schema (a checkbox
/// for booleans, a select for enums, a number input for numbers, a text input for strings, JSON
/// text for the rest), and back from the submitted text to the named-arguments object the
/// runtime checks against the same schemas (`ArgumentChecker`). Inputs are named `arg.NAME`.
public struct FunctionCallForm: Sendable {
    /// One argument: its name, schema, and whether it may be left out (it has a default).
    public struct Argument: Sendable {
        public var name: String
        public var schema: JSONValue
        public var optional: Bool

        public init(name: String, schema: JSONValue, optional: Bool) {
            self.name = name
            self.schema = schema
            self.optional = optional
        }

        /// What kind of input it gets.
        var input: String {
            if schema["enum"]?.arrayValue != nil { return "enum" }
            switch schema["type"]?.stringValue {
            case "boolean": return "boolean"
            case "number", "integer": return "number"
            case "string": return "string"
            default: return "json"
            }
        }
    }

    public var function: String
    public var arguments: [Argument]

    public init(function: String, arguments: [Argument]) {
        self.function = function
        self.arguments = arguments
    }

    /// The form field of an argument.
    public static func field(_ name: String) -> String { "arg." + name }

    /// The arguments as template values (`name`, `field`, kind flags, `options`, `hint`).
    public func values(submitted: [String: String] = [:]) -> [TemplateValue] {
        arguments.map { argument in
            let kind = argument.input
            let value = submitted[Self.field(argument.name)]
            var members: [String: TemplateValue] = [
                "name": .string(argument.name), "field": .string(Self.field(argument.name)),
                "optional": .bool(argument.optional), "value": .optional(value),
                "isBoolean": .bool(kind == "boolean"), "isEnum": .bool(kind == "enum"), "isNumber": .bool(kind == "number"),
                "isString": .bool(kind == "string"), "isJSON": .bool(kind == "json"),
                "hint": .string(Self.hint(argument.schema)),
                "step": .string(argument.schema["type"]?.stringValue == "integer" ? "1" : "any"),
            ]
            if kind == "enum" {
                members["options"] = .list((argument.schema["enum"]?.arrayValue ?? []).map { option in
                    let text = option.stringValue ?? JSONWriter.compactString(option)
                    return ["value": .string(text), "selected": .bool(value == text)]
                })
            }
            if kind == "boolean" { members["checked"] = .bool(value == "true") }
            return .object(members)
        }
    }

    /// The named arguments of a submission, or what is wrong with which argument. An empty
    /// optional argument is left out (its default applies); a checkbox not sent is `false`.
    public func arguments(from form: [String: String]) -> Result<JSONValue, FunctionCallError> {
        var members: [String: JSONValue] = [:]
        for argument in arguments {
            let text = form[Self.field(argument.name)] ?? ""
            let kind = argument.input
            if kind == "boolean" {
                members[argument.name] = .bool(text == "true" || text == "on")
                continue
            }
            if text.isEmpty && kind != "string" || text.isEmpty && argument.optional {
                if argument.optional { continue }
                return .failure(FunctionCallError(argument: argument.name, message: "is required"))
            }
            switch kind {
            case "string":
                members[argument.name] = .string(text)
            case "number":
                guard let number = Double(text.filter { $0 != " " }), number.isFinite else {
                    return .failure(FunctionCallError(argument: argument.name, message: "\"\(text)\" is not a number"))
                }
                members[argument.name] = argument.schema["type"]?.stringValue == "integer" && number == number.rounded()
                    ? .int(Int(number)) : .double(number)
            case "enum":
                let options = argument.schema["enum"]?.arrayValue ?? []
                guard let option = options.first(where: { ($0.stringValue ?? JSONWriter.compactString($0)) == text }) else {
                    return .failure(FunctionCallError(argument: argument.name, message: "\"\(text)\" is not one of the choices"))
                }
                members[argument.name] = option
            default:
                guard let value = try? JSONParser.parse(text) else {
                    return .failure(FunctionCallError(argument: argument.name, message: "is not valid JSON (write strings in double quotes)"))
                }
                members[argument.name] = value
            }
        }
        return .success(.object(members))
    }

    /// A short description of what a schema accepts: `number 0–100`, `string`, `one of …`.
    static func hint(_ schema: JSONValue) -> String {
        if let options = schema["enum"]?.arrayValue {
            return "one of " + options.map { $0.stringValue ?? JSONWriter.compactString($0) }.joined(separator: ", ")
        }
        var words = schema["type"]?.stringValue ?? (schema["type"]?.arrayValue?.compactMap(\.stringValue).joined(separator: " or ") ?? "any JSON")
        let minimum = schema["minimum"].map(JSONWriter.compactString), maximum = schema["maximum"].map(JSONWriter.compactString)
        if let minimum, let maximum { words += " \(minimum)–\(maximum)" } else if let minimum { words += " ≥ \(minimum)" } else if let maximum { words += " ≤ \(maximum)" }
        return words
    }
}

/// An argument a submitted function form got wrong.
public struct FunctionCallError: Error, Sendable, Equatable {
    public var argument: String
    public var message: String

    public var description: String { "\(argument): \(message)" }
}
