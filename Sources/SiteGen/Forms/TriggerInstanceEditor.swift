import ConfigRepo

/// A system's `triggers` (its trigger instances) as rows of inputs instead of a JSON array:
/// per row the trigger picked by name (`ti.N.trigger`) and its switches `ti.N.enabled`,
/// `ti.N.exec_enabled` and `ti.N.important` (checkboxes).
///
/// A system holds at most one entry per trigger, so a row finds its stored entry by the
/// trigger it names: the entry's `id`, sealed `webhook_secret` and any other member are kept.
/// A switch is written only when the entry had it or it differs from the default (enabled
/// on, the others off), so saving an untouched form changes nothing. Two empty rows are for
/// adding; a row without a trigger is dropped (that is how an entry is removed).
public enum TriggerInstanceEditor {
    static let prefix = "ti"
    static let blankRows = 2
    /// The switches of an instance and their defaults (docs/config-format.md, "System").
    static let switches: [(name: String, label: String, byDefault: Bool)] = [
        ("enabled", "Enabled", true), ("exec_enabled", "Webhook may call functions", false), ("important", "Important", false),
    ]

    // MARK: - Document → inputs

    static func inputs(for document: ConfigDocument) -> [String: String] {
        var inputs: [String: String] = [:]
        for (index, entry) in (document["triggers"]?.arrayValue ?? []).enumerated() {
            inputs["\(prefix).\(index).trigger"] = entry["trigger_id"]?.stringValue ?? ""
            for flag in switches where entry[flag.name]?.boolValue ?? flag.byDefault {
                inputs["\(prefix).\(index).\(flag.name)"] = "on"
            }
        }
        return inputs
    }

    // MARK: - Inputs → document

    /// Rebuilds `triggers` from the rows when the form had them (a form without rows leaves
    /// the member as it is).
    static func decode(_ submitted: [String: String], onto document: inout ConfigDocument, errors: inout [String: String]) {
        let count = rowCount(submitted.keys)
        guard count > 0 else { return }
        let stored = document["triggers"]?.arrayValue ?? []
        var entries: [JSONValue] = []
        var rowOfTrigger: [String: Int] = [:]
        for index in 0..<count {
            let trigger = (submitted["\(prefix).\(index).trigger"] ?? "").trimmingCharacters()
            guard !trigger.isEmpty else { continue }
            if let earlier = rowOfTrigger[trigger] {
                errors["\(prefix).\(index).trigger"] = "this trigger is already in row \(earlier + 1); a room has one entry per trigger"
                continue
            }
            rowOfTrigger[trigger] = index
            var entry = stored.first { $0["trigger_id"]?.stringValue == trigger }?.objectValue ?? [:]
            entry["trigger_id"] = .string(trigger)
            for flag in switches {
                let on = !(submitted["\(prefix).\(index).\(flag.name)"] ?? "").isEmpty
                if entry[flag.name] != nil || on != flag.byDefault { entry[flag.name] = .bool(on) }
            }
            entries.append(.object(entry))
        }
        document["triggers"] = entries.isEmpty ? nil : .array(entries)
    }

    /// How many rows the inputs name (`ti.N.…`: the highest N plus one).
    static func rowCount(_ names: some Sequence<String>) -> Int {
        (names.compactMap { name -> Int? in
            let parts = name.split(separator: ".")
            return parts.count == 3 && parts[0] == prefix ? Int(parts[1]) : nil
        }.max() ?? -1) + 1
    }

    /// The input a validation problem of `triggers[N]…` belongs to (the row's trigger select).
    static func inputName(for field: String) -> String? {
        guard field.hasPrefix("triggers[") else { return field == "triggers" ? "\(prefix).0.trigger" : nil }
        let rest = field.dropFirst("triggers[".count)
        guard let close = rest.firstIndex(of: "]"), let index = Int(rest[..<close]) else { return nil }
        return "\(prefix).\(index).trigger"
    }

    // MARK: - Form values

    /// One group of rows: the stored entries and two empty rows (enabled ticked, as an added
    /// instance runs unless switched off). Triggers are offered by name.
    static func fieldGroup(inputs: [String: String], errors: [String: String], snapshot: Snapshot) -> TemplateValue {
        let stored = rowCount(inputs.keys)
        let triggers = snapshot.all(.trigger).map { ($0.id, "\(ObjectLabels.name($0, in: snapshot)) (\($0.id))") }
            .sorted { $0.1.lowercased() < $1.1.lowercased() }
        let rows: [TemplateValue] = (0..<(stored + blankRows)).map { index in
            let name = { (column: String) in "\(prefix).\(index).\(column)" }
            let blank = index >= stored
            var cells: [TemplateValue] = [triggerSelect(name("trigger"), value: inputs[name("trigger")] ?? "", error: errors[name("trigger")],
                                                        options: triggers)]
            for flag in switches {
                let checked = blank ? flag.byDefault : !(inputs[name(flag.name)] ?? "").isEmpty
                cells.append(FormPage.input(name: name(flag.name), label: flag.label, kind: "isCheckbox", value: "on",
                                            error: errors[name(flag.name)], checked: checked))
            }
            return ["cells": .list(cells)]
        }
        return ["isGroup": true, "legend": "Triggers of this room", "rows": .list(rows), "groupClass": "instances",
                "groupHint": .string("Triggers of the room's zones and triggers dedicated to it run without a row here; add a row to switch "
                    + "one off or to let its webhook call functions. Choose “—” to remove a row.")]
    }

    private static func triggerSelect(_ name: String, value: String, error: String?, options: [(String, String)]) -> TemplateValue {
        var list: [TemplateValue] = [["value": "", "text": "—", "selected": .bool(value.isEmpty)]]
        for (id, text) in options { list.append(["value": .string(id), "text": .string(text), "selected": .bool(id == value)]) }
        if !value.isEmpty, !options.contains(where: { $0.0 == value }) {
            list.append(["value": .string(value), "text": .string(value + " (unknown)"), "selected": true])
        }
        return ["name": .string(name), "label": "Trigger", "isSelect": true, "options": .list(list), "error": .optional(error),
                "inputID": .string("f-" + name.replacingOccurrences(of: ".", with: "-")), "isGroup": false, "hint": .null]
    }
}
