import ConfigRepo

/// The values of a form page (new, edit, conflict): each input with its text and error.
public struct FormPage: Sendable {
    public let form: ObjectForm
    public let snapshot: Snapshot
    /// References to kinds with at most this many objects are a select, else a text input.
    static let selectLimit = 300

    public init(form: ObjectForm, snapshot: Snapshot) {
        self.form = form
        self.snapshot = snapshot
    }

    /// - Parameters:
    ///   - action: where the form posts; `token` the CSRF token for it.
    ///   - inputs: the text of each input; `errors` by input name; `general` errors not tied to an input.
    public func values(title: String, action: String, token: String, version: String?, inputs: [String: String],
                       errors: [String: String], general: [String], hidden: [String: String] = [:],
                       cancelURL: String) -> [String: TemplateValue] {
        var fields: [TemplateValue] = []
        for field in form.fields {
            if field.type == .settings {
                fields += form.settingsForm.fieldValues(inputs: inputs, errors: errors, audience: "everyone who can see this \(form.kind.noun)")
                continue
            }
            fields.append(fieldInput(field, value: inputs[field.name], error: errors[field.name]))
        }
        if form.hasTriggerEditor { fields += TriggerEditor.fieldGroups(inputs: inputs, errors: errors) }
        if form.hasTriggerInstanceEditor { fields.append(TriggerInstanceEditor.fieldGroup(inputs: inputs, errors: errors, snapshot: snapshot)) }
        return Self.frame(title: title, action: action, token: token, version: version, fields: fields, hasFieldErrors: !errors.isEmpty,
                          general: general, hidden: hidden, cancelURL: cancelURL, noun: form.kind.noun)
    }

    /// The values of the `form` and `conflict` templates around already built `fields`.
    static func frame(title: String, action: String, token: String, version: String?, fields: [TemplateValue], hasFieldErrors: Bool,
                      general: [String], hidden: [String: String], cancelURL: String, noun: String) -> [String: TemplateValue] {
        [
            "formTitle": .string(title),
            "action": .string(action),
            "token": .string(token),
            "version": .optional(version),
            "fields": .list(fields),
            "general": .list(general.map { .string($0) }),
            "hasErrors": .bool(hasFieldErrors || !general.isEmpty),
            "hidden": .list(hidden.sorted { $0.key < $1.key }.map { ["name": .string($0.key), "value": .string($0.value)] }),
            "cancelURL": .string(cancelURL),
            "noun": .string(noun),
        ]
    }

    private func fieldInput(_ field: FieldSpec, value: String?, error: String?) -> TemplateValue {
        let label = SiteKinds.label(field.name) + (field.required ? " *" : "")
        let text = value ?? ""
        switch field.type {
        case .bool:
            return Self.input(name: field.name, label: label, kind: "isCheckbox", value: text, error: error, checked: !text.isEmpty)
        case .int:
            return Self.input(name: field.name, label: label, kind: "isNumber", value: text, error: error)
        case .stringList:
            return Self.input(name: field.name, label: label, kind: "isLines", value: text, error: error, hint: "One per line.")
        case .references(let target):
            return Self.input(name: field.name, label: label, kind: "isLines", value: text, error: error,
                         hint: "\(SiteKinds.title(target)) ids, one per line, in order.", datalist: target)
        case .object, .json:
            return Self.input(name: field.name, label: label, kind: "isJSON", value: text, error: error, hint: "A JSON value.")
        case .triggerInstances:
            return Self.input(name: field.name, label: label, kind: "isJSON", value: text, error: error,
                         hint: "A JSON array of {\"trigger_id\": …, \"enabled\": true}.")
        case .secret:
            return Self.input(name: field.name, label: label, kind: "isPassword", value: "", error: error,
                         hint: "Leave empty to keep the current value. Stored encrypted.")
        case .oneOf(let choices):
            return select(field, label: label, value: text, error: error, options: choices.map { ($0, $0) })
        case .intCase(let names):
            return select(field, label: label, value: text, error: error, options: names.keys.sorted().map { (String($0), "\(names[$0]!) (\($0))") })
        case .nullable(let wrapped):
            return fieldInput(FieldSpec(field.name, wrapped, required: field.required), value: value, error: error)
        case .reference(let target) where snapshot.count(target) <= Self.selectLimit:
            let options = snapshot.all(target).map { ($0.id, "\(ObjectLabels.name($0, in: snapshot)) (\($0.id))") }
            return select(field, label: label, value: text, error: error, options: options)
        case .reference(let target):
            return Self.input(name: field.name, label: label, kind: "isText", value: text, error: error, hint: "A \(target.noun) id.")
        case .url:
            return Self.input(name: field.name, label: label, kind: "isText", value: text, error: error, hint: "An absolute http(s) URL.")
        default:
            return Self.input(name: field.name, label: label, kind: "isText", value: text, error: error)
        }
    }

    static func input(name: String, label: String, kind: String, value: String, error: String?, hint: String? = nil,
                       checked: Bool = false, datalist: Kind? = nil) -> TemplateValue {
        var members: [String: TemplateValue] = ["name": .string(name), "label": .string(label), kind: true, "value": .string(value),
                                                "error": .optional(error), "hint": .optional(hint), "checked": .bool(checked),
                                                "inputID": .string("f-" + name.replacingOccurrences(of: ".", with: "-")), "isGroup": false]
        if kind == "isLines" || kind == "isJSON" { members["rows"] = .int(min(max(value.split(separator: "\n").count + 1, 3), 24)) }
        _ = datalist
        return .object(members)
    }

    private func select(_ field: FieldSpec, label: String, value: String, error: String?, options: [(String, String)]) -> TemplateValue {
        var list: [TemplateValue] = [["value": "", "text": "—", "selected": .bool(value.isEmpty)]]
        var found = value.isEmpty
        for (optionValue, text) in options {
            found = found || optionValue == value
            list.append(["value": .string(optionValue), "text": .string(text), "selected": .bool(optionValue == value)])
        }
        if !found { list.append(["value": .string(value), "text": .string(value + " (unknown)"), "selected": true]) }
        return ["name": .string(field.name), "label": .string(label), "isSelect": true, "options": .list(list), "error": .optional(error),
                "inputID": .string("f-" + field.name), "isGroup": false, "hint": .null]
    }
}
