import ConfigRepo

/// The edit form of an object: what each input shows, and turning the submitted text back
/// into the object, field by field, with an error next to each field that cannot be read.
///
/// Inputs are named after the JSON members (`capacity`, `zones`); settings have one JSON
/// input per level the reader may see (`settings.none`, `settings.admin`, …); `_version` carries
/// the version the form was made from.
public struct ObjectForm: Sendable {
    public let kind: Kind
    public let role: Role
    public let box: SecretBox?
    /// The object's id when its kind's fields depend on it (an auth strategy's prefix).
    public let id: String?

    public init(kind: Kind, role: Role, box: SecretBox?, id: String? = nil) {
        self.kind = kind
        self.role = role
        self.box = box
        self.id = id
    }

    /// Fields shown on forms as one input each (internal bookkeeping fields are left out; a
    /// trigger's conditions and actions have the structured `TriggerEditor` instead, a
    /// system's trigger instances the `TriggerInstanceEditor`).
    public var fields: [FieldSpec] {
        kind.fields(forID: id).filter {
            !["secret_hash"].contains($0.name) && !(hasTriggerEditor && ["conditions", "actions"].contains($0.name))
                && !(hasTriggerInstanceEditor && $0.name == "triggers")
        }
    }

    var hasTriggerEditor: Bool { kind == .trigger }

    var hasTriggerInstanceEditor: Bool { kind == .system }

    /// Settings levels this reader may edit (never_display is write-only and kept as is).
    public var editableLevels: [SettingsLevel] { settingsForm.editableLevels }

    var settingsForm: SettingsForm { SettingsForm(role: role, box: box) }

    /// Flags whose absence means true (a module runs unless `running` is false).
    static let trueByDefault: [Kind: Set<String>] = [.module: ["running"]]

    private func defaultsTrue(_ field: String) -> Bool { Self.trueByDefault[kind]?.contains(field) ?? false }

    // MARK: - Document → input text

    /// The text each input starts with for `document` (nil: a new object).
    public func inputs(for document: ConfigDocument?) -> [String: String] {
        var inputs: [String: String] = [:]
        for (name, _) in fields.map({ ($0.name, $0) }) where defaultsTrue(name) { inputs[name] = "on" }
        guard let document else { return inputs }
        if hasTriggerEditor { inputs.merge(TriggerEditor.inputs(for: document), uniquingKeysWith: { _, new in new }) }
        if hasTriggerInstanceEditor { inputs.merge(TriggerInstanceEditor.inputs(for: document), uniquingKeysWith: { _, new in new }) }
        for field in fields {
            if field.type == .settings {
                inputs.merge(settingsForm.inputs(document["settings"], objectID: document.id), uniquingKeysWith: { _, new in new })
                continue
            }
            guard let value = document[field.name], !value.isNull else { continue }
            inputs[field.name] = Self.text(value, as: field.type)
        }
        return inputs
    }

    static func text(_ value: JSONValue, as type: FieldType) -> String {
        switch type {
        case .bool: return value.boolValue == true ? "on" : ""
        case .stringList, .references:
            return (value.arrayValue ?? []).map { $0.stringValue ?? JSONWriter.compactString($0) }.joined(separator: "\n")
        case .object, .json, .triggerInstances: return JSONWriter.canonicalString(value)
        case .secret: return ""
        case .nullable(let wrapped): return value.isNull ? "" : text(value, as: wrapped)
        default:
            if let text = value.stringValue { return text }
            if case .number(let text) = value { return text }
            return JSONWriter.compactString(value)
        }
    }

    // MARK: - Input text → document

    /// The result of reading a submitted form.
    public struct Decoded: Sendable {
        public var document: ConfigDocument
        /// Errors by input name.
        public var errors: [String: String]
    }

    /// Applies the submitted inputs to `base` (the object as the form was made from, or a new
    /// one). Members the form does not show are kept as they are.
    public func decode(_ submitted: [String: String], onto base: ConfigDocument) -> Decoded {
        var document = base
        var errors: [String: String] = [:]
        for field in fields {
            if field.type == .settings {
                switch settingsForm.decode(submitted, stored: base["settings"], objectID: base.id, errors: &errors) {
                case .set(let settings): document["settings"] = settings
                case .remove: document["settings"] = nil
                case .keep, .error: break
                }
                continue
            }
            let text = submitted[field.name]
            if defaultsTrue(field.name), base[field.name] == nil, text == "on" { continue }  // still the default
            switch decodeValue(text, as: field.type, had: base[field.name] != nil || defaultsTrue(field.name)) {
            case .keep: break
            case .remove: document[field.name] = nil
            case .set(let value): document[field.name] = value
            case .error(let message): errors[field.name] = message
            }
        }
        if hasTriggerEditor { TriggerEditor.decode(submitted, onto: &document, errors: &errors) }
        if hasTriggerInstanceEditor { TriggerInstanceEditor.decode(submitted, onto: &document, errors: &errors) }
        return Decoded(document: document, errors: errors)
    }

    enum FieldOutcome {
        case keep, remove
        case set(JSONValue)
        case error(String)
    }

    func decodeValue(_ raw: String?, as type: FieldType, had: Bool) -> FieldOutcome {
        let text = (raw ?? "").replacingOccurrences(of: "\r\n", with: "\n")
        let trimmed = text.trimmingCharacters()
        switch type {
        case .bool:
            if raw != nil && raw != "" { return .set(.bool(true)) }
            return had ? .set(.bool(false)) : .keep
        case .secret:
            return trimmed.isEmpty ? .keep : .set(.string(trimmed))
        case _ where trimmed.isEmpty:
            return raw == nil && !had ? .keep : .remove
        case .string, .url, .reference, .oneOf:
            return .set(.string(trimmed))
        case .int:
            guard let number = Int(trimmed) else { return .error("must be a whole number, not “\(trimmed)”") }
            return .set(.int(number))
        case .number:
            guard Double(trimmed) != nil else { return .error("must be a number, not “\(trimmed)”") }
            return .set(.number(trimmed))
        case .intCase(let names):
            guard let number = Int(trimmed) else { return .error("choose one of: " + names.keys.sorted().map { names[$0]! }.joined(separator: ", ")) }
            return .set(.int(number))
        case .stringList, .references:
            let items = trimmed.split(whereSeparator: { $0 == "\n" || $0 == "," }).map { String($0).trimmingCharacters() }.filter { !$0.isEmpty }
            return .set(.array(items.map(JSONValue.string)))
        case .object, .json, .triggerInstances:
            do {
                let value = try JSONParser.parse(text)
                if case .object = type, value.objectValue == nil { return .error("must be a JSON object { … }, not \(value.typeName)") }
                if case .triggerInstances = type, value.arrayValue == nil { return .error("must be a JSON array [ … ] of trigger instances") }
                return .set(value)
            } catch {
                return .error("invalid JSON at line \(error.line), column \(error.column): \(error.message)")
            }
        case .nullable(let wrapped):
            return decodeValue(raw, as: wrapped, had: had)
        case .settings:
            return .keep
        }
    }

    /// The input name a validation problem belongs to (`settings.admin.x` → `settings.admin`).
    public func inputName(for problemField: String) -> String? {
        if hasTriggerEditor, let name = TriggerEditor.inputName(for: problemField) { return name }
        if hasTriggerInstanceEditor, let name = TriggerInstanceEditor.inputName(for: problemField) { return name }
        let head = String(problemField.prefix { $0 != "." && $0 != "[" })
        if head == "settings" { return settingsForm.inputName(for: problemField) }
        return fields.contains { $0.name == head } ? head : nil
    }
}
