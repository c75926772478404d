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
        case .references(let target) where snapshot.count(target) <= Self.selectLimit:
            // The ordered list stays a text box (ids or names, one per line); the names to tick are beside it.
            var input = Self.input(name: field.name, label: label, kind: "isLines", value: text, error: error,
                                   hint: "In order, one per line: tick names below to add them, or type a name or an id.")
            let present = Set(text.split(whereSeparator: { $0 == "\n" || $0 == "," }).map { String($0).trimmingCharacters() })
            let picks: [TemplateValue] = ReferencePicker.ordered(target, in: snapshot).filter { !present.contains($0.id) }.map { document in
                ["name": .string(ReferencePicker.pickName(field.name, document.id)), "id": .string(document.id),
                 "text": .string(ObjectLabels.name(document, in: snapshot)),
                 "depth": .int(target == .zone ? Self.depth(of: document, in: snapshot) : 0)]
            }
            if case .object(var members) = input, !picks.isEmpty {
                members["picks"] = .list(picks)
                members["pickLabel"] = .string("Add \(SiteKinds.title(target).lowercased())")
                input = .object(members)
            }
            return input
        case .references(let target):
            return Self.input(name: field.name, label: label, kind: "isLines", value: text, error: error,
                         hint: "\(SiteKinds.title(target)) ids or names, one per line, in order.", datalist: target)
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
            let options = ReferencePicker.ordered(target, in: snapshot).map { ($0.id, "\(ObjectLabels.name($0, in: snapshot)) (\($0.id))") }
            return select(field, label: label, value: text, error: error, options: options)
        case .reference(let target):
            return Self.input(name: field.name, label: label, kind: "isText", value: text, error: error, hint: "A \(target.noun) name or id.")
        case .string where field.name == "map_id" && form.kind == .system:
            return mapPick(field, label: label, value: text, error: error)
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

    /// How deep a zone sits in the tree (0 for a root), for indenting pick lists.
    static func depth(of zone: ConfigDocument, in snapshot: Snapshot) -> Int {
        var depth = 0, current = zone, seen: Set<String> = [zone.id]
        while let parent = ZoneView(current).parentID, let next = snapshot.document(.zone, parent), seen.insert(parent).inserted, depth < 16 {
            depth += 1
            current = next
        }
        return depth
    }

    /// A system's `map_id`: the room elements of every level map, grouped by level; elements
    /// another system links to are listed but cannot be chosen. A value on no map stays choosable.
    private func mapPick(_ field: FieldSpec, label: String, value: String, error: String?) -> TemplateValue {
        var found = value.isEmpty
        var groups: [TemplateValue] = MapElements.levels(in: snapshot).map { level in
            let options: [TemplateValue] = level.elements.map { element in
                let mine = element.id == value
                found = found || mine
                let linked = element.system.map { ObjectLabels.name(ObjectRef(.system, $0), in: snapshot) }
                return ["value": .string(element.id), "selected": .bool(mine), "disabled": .bool(linked != nil && !mine),
                        "text": .string(element.id + (linked.map { " — \($0)" } ?? ""))]
            }
            return ["label": .string(ObjectLabels.name(level.zone, in: snapshot)), "options": .list(options),
                    "mapURL": .string(SiteURL.map(zone: level.zone.id))]
        }
        if !found { groups.append(["label": "Not on a map", "options": [["value": .string(value), "text": .string(value), "selected": true]]]) }
        return ["name": .string(field.name), "label": .string(label), "isMapPick": true, "groups": .list(groups), "error": .optional(error),
                "inputID": .string("f-" + field.name), "isGroup": false,
                "hint": "The room's element on its level's map (pick it on the map with the button, or from the list)."]
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
