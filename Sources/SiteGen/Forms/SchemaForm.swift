import ConfigRepo

/// A form generated from a JSON Schema: one input per property of an object schema, named
/// `details.<property>` — booleans are checkboxes (feature toggles), enumerations selects,
/// integers and numbers number inputs, strings text inputs, and anything nested (objects,
/// arrays, several types) a JSON text area. Reading the form back checks the result against
/// the schema (`JSONSchemaChecker`, the validator's own) and puts each problem beside its input.
public struct SchemaForm: Sendable {
    /// How one property is edited.
    public enum Control: Sendable, Equatable {
        case checkbox
        case integer
        case number
        case text
        /// A select of these values (the schema's `enum`).
        case choice([JSONValue])
        /// JSON text (objects, arrays, unions).
        case json
    }

    public struct Field: Sendable, Equatable {
        public var property: String
        public var label: String
        public var hint: String?
        public var control: Control
        public var required: Bool
        /// The input's name: `details.<property>`.
        public var inputName: String { SchemaForm.prefix + property }
    }

    static let prefix = "details."
    public let schema: JSONValue
    /// The properties in name order.
    public let fields: [Field]

    /// The form of `schema`, or nil when it is not an object schema with properties (the JSON
    /// editor alone then).
    public init?(schema: JSONValue) {
        guard let properties = schema["properties"]?.objectValue, !properties.isEmpty else { return nil }
        let required = Set(schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        self.schema = schema
        fields = properties.keys.sorted().map { name in
            let rules = properties[name]!
            return Field(property: name, label: rules["title"]?.stringValue ?? SiteKinds.label(name),
                         hint: rules["description"]?.stringValue, control: Self.control(rules), required: required.contains(name))
        }
    }

    static func control(_ rules: JSONValue) -> Control {
        if let options = rules["enum"]?.arrayValue, !options.isEmpty { return .choice(options) }
        let types = (rules["type"]?.arrayValue?.compactMap(\.stringValue) ?? [rules["type"]?.stringValue].compactMap { $0 }).filter { $0 != "null" }
        guard types.count == 1 else { return .json }
        switch types[0] {
        case "boolean": return .checkbox
        case "integer": return .integer
        case "number": return .number
        case "string": return .text
        default: return .json
        }
    }

    // MARK: - Details → input text

    /// The text of each input for `details` (members the schema does not name have no input).
    public func inputs(for details: JSONValue?) -> [String: String] {
        var inputs: [String: String] = [:]
        for field in fields {
            guard let value = details?[field.property], !value.isNull else { continue }
            switch field.control {
            case .checkbox: if value.boolValue == true { inputs[field.inputName] = "on" }
            case .choice: inputs[field.inputName] = JSONWriter.compactString(value)
            case .json: inputs[field.inputName] = JSONWriter.canonicalString(value)
            case .integer, .number, .text:
                if let text = value.stringValue { inputs[field.inputName] = text } else if case .number(let text) = value {
                    inputs[field.inputName] = text
                } else { inputs[field.inputName] = JSONWriter.compactString(value) }
            }
        }
        return inputs
    }

    // MARK: - Input text → details

    /// The details the form makes from `submitted` on top of `details` (members without an
    /// input kept), and the errors by input name; `general` holds problems no input shows.
    public func decode(_ submitted: [String: String], onto details: JSONValue?) -> (details: JSONValue, errors: [String: String], general: [String]) {
        var members = details?.objectValue ?? [:]
        var errors: [String: String] = [:]
        for field in fields {
            let text = (submitted[field.inputName] ?? "").replacingOccurrences(of: "\r\n", with: "\n")
            let trimmed = text.trimmingCharacters()
            if field.control == .checkbox {
                members[field.property] = .bool(!trimmed.isEmpty)
                continue
            }
            if trimmed.isEmpty {
                members[field.property] = nil
                continue
            }
            switch field.control {
            case .integer:
                if let number = Int(trimmed) { members[field.property] = .int(number) } else { errors[field.inputName] = "must be a whole number, not “\(trimmed)”" }
            case .number:
                if Double(trimmed) != nil { members[field.property] = .number(trimmed) } else { errors[field.inputName] = "must be a number, not “\(trimmed)”" }
            case .text:
                members[field.property] = .string(text)
            case .choice(let options):
                if let value = options.first(where: { JSONWriter.compactString($0) == trimmed }) { members[field.property] = value } else {
                    errors[field.inputName] = "choose one of the listed values"
                }
            case .json:
                do { members[field.property] = try JSONParser.parse(text) } catch {
                    errors[field.inputName] = "invalid JSON at line \(error.line), column \(error.column): \(error.message)"
                }
            case .checkbox:
                break
            }
        }
        let result = JSONValue.object(members)
        var general: [String] = []
        guard errors.isEmpty else { return (result, errors, general) }
        for problem in JSONSchemaChecker().problems(in: result, against: schema, at: "") {
            let property = String(problem.path.prefix { $0 != "." && $0 != "[" })
            if let field = fields.first(where: { $0.property == property }) {
                let inner = problem.path.dropFirst(property.count).drop { $0 == "." }
                errors[field.inputName] = (errors[field.inputName].map { $0 + "; " } ?? "") + (inner.isEmpty ? "" : "\(inner): ") + problem.message
            } else {
                general.append((problem.path.isEmpty ? "" : "\(problem.path): ") + problem.message)
            }
        }
        return (result, errors, general)
    }

    // MARK: - Form values

    /// The inputs for the `field-input` template.
    public func fieldValues(inputs: [String: String], errors: [String: String]) -> [TemplateValue] {
        fields.map { field in
            let label = field.label + (field.required ? " *" : "")
            let text = inputs[field.inputName] ?? ""
            let error = errors[field.inputName]
            switch field.control {
            case .checkbox:
                return FormPage.input(name: field.inputName, label: label, kind: "isCheckbox", value: "on", error: error, hint: field.hint,
                                      checked: !text.isEmpty)
            case .integer, .number:
                return FormPage.input(name: field.inputName, label: label, kind: field.control == .integer ? "isNumber" : "isDecimal",
                                      value: text, error: error, hint: field.hint)
            case .text:
                return FormPage.input(name: field.inputName, label: label, kind: "isText", value: text, error: error, hint: field.hint)
            case .json:
                return FormPage.input(name: field.inputName, label: label, kind: "isJSON", value: text, error: error,
                                      hint: field.hint ?? "A JSON value.")
            case .choice(let options):
                var list: [TemplateValue] = [["value": "", "text": "—", "selected": .bool(text.isEmpty)]]
                for option in options {
                    let value = JSONWriter.compactString(option)
                    list.append(["value": .string(value), "text": .string(option.stringValue ?? value), "selected": .bool(value == text)])
                }
                return ["name": .string(field.inputName), "label": .string(label), "isSelect": true, "options": .list(list),
                        "error": .optional(error), "hint": .optional(field.hint), "isGroup": false,
                        "inputID": .string("f-" + field.inputName.replacingOccurrences(of: ".", with: "-"))]
            }
        }
    }
}
