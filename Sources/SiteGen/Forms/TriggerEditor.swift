import ConfigRepo

/// A trigger's conditions and actions as rows of inputs instead of raw JSON.
///
/// - comparisons `cmp.N.left`, `cmp.N.operator`, `cmp.N.right`: an operand is a module status
///   written `Module_1.status` (more dots: keys into the value) or a JSON constant (`true`, `10`,
///   `"text"`);
/// - time conditions `td.N.type` (`for`, `at`, `cron`) and `td.N.value` (seconds, Unix time or cron);
/// - functions `fn.N.mod`, `fn.N.method`, `fn.N.args` (JSON); mailers `mail.N.emails`, `mail.N.content`.
///
/// Each list gets two empty rows for adding; rows left empty are dropped. Other members of
/// `conditions` and `actions` (webhooks) are kept as they are.
public enum TriggerEditor {
    public static let operators = ["equal", "not_equal", "greater_than", "greater_than_or_equal", "less_than",
                                   "less_than_or_equal", "and", "or", "exclusive_or"]
    static let blankRows = 2

    struct Group {
        var prefix: String
        var legend: String
        var member: (object: String, list: String)
        var columns: [String]
    }

    static let groups = [
        Group(prefix: "cmp", legend: "Conditions: compare", member: ("conditions", "comparisons"), columns: ["left", "operator", "right"]),
        Group(prefix: "td", legend: "Conditions: time", member: ("conditions", "time_dependents"), columns: ["type", "value"]),
        Group(prefix: "fn", legend: "Actions: call a function", member: ("actions", "functions"), columns: ["mod", "method", "args"]),
        Group(prefix: "mail", legend: "Actions: send email", member: ("actions", "mailers"), columns: ["emails", "content"]),
    ]

    // MARK: - Document → inputs

    static func inputs(for document: ConfigDocument) -> [String: String] {
        var inputs: [String: String] = [:]
        for group in groups {
            let rows = document[group.member.object]?[group.member.list]?.arrayValue ?? []
            for (index, row) in rows.enumerated() {
                for (column, text) in cells(group.prefix, row) { inputs["\(group.prefix).\(index).\(column)"] = text }
            }
        }
        return inputs
    }

    private static func cells(_ prefix: String, _ row: JSONValue) -> [String: String] {
        switch prefix {
        case "cmp":
            return ["left": operand(row["left"]), "operator": row["operator"]?.stringValue ?? "", "right": operand(row["right"])]
        case "td":
            let type = row["type"]?.stringValue ?? ""
            let value = type == "cron" ? row["cron"]?.stringValue ?? "" : (row[type == "at" ? "time" : "seconds"].map(JSONWriter.compactString) ?? "")
            return ["type": type, "value": value]
        case "fn":
            return ["mod": row["mod"]?.stringValue ?? "", "method": row["method"]?.stringValue ?? "",
                    "args": row["args"].map(JSONWriter.compactString) ?? "{}"]
        default:
            return ["emails": (row["emails"]?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: ", "),
                    "content": row["content"]?.stringValue ?? ""]
        }
    }

    private static func operand(_ value: JSONValue?) -> String {
        guard let value else { return "" }
        if let reference = value.objectValue, let mod = reference["mod"]?.stringValue, let status = reference["status"]?.stringValue {
            return ([mod, status] + (reference["keys"]?.arrayValue ?? []).compactMap(\.stringValue)).joined(separator: ".")
        }
        return JSONWriter.compactString(value)
    }

    // MARK: - Inputs → document

    static func decode(_ submitted: [String: String], onto document: inout ConfigDocument, errors: inout [String: String]) {
        for group in groups {
            guard submitted.keys.contains(where: { $0.hasPrefix(group.prefix + ".") }) else { continue }
            var rows: [JSONValue] = []
            var index = 0
            let count = (submitted.keys.compactMap { key -> Int? in
                let parts = key.split(separator: ".")
                return parts.count == 3 && parts[0] == group.prefix ? Int(parts[1]) : nil
            }.max() ?? -1) + 1
            while index < count {
                let cell = { (column: String) in (submitted["\(group.prefix).\(index).\(column)"] ?? "").trimmingCharacters() }
                if group.columns.allSatisfy({ column in
                    let text = cell(column)
                    return text.isEmpty || (group.prefix == "fn" && column == "args" && text == "{}")
                }) {
                    index += 1
                    continue
                }
                if let row = decodeRow(group.prefix, index: index, cell, errors: &errors) { rows.append(row) }
                index += 1
            }
            var object = document[group.member.object]?.objectValue ?? [:]
            object[group.member.list] = rows.isEmpty ? nil : .array(rows)
            document[group.member.object] = object.isEmpty ? nil : .object(object)
        }
    }

    private static func decodeRow(_ prefix: String, index: Int, _ cell: (String) -> String, errors: inout [String: String]) -> JSONValue? {
        let name = { (column: String) in "\(prefix).\(index).\(column)" }
        switch prefix {
        case "cmp":
            var row: [String: JSONValue] = ["operator": .string(cell("operator"))]
            for side in ["left", "right"] {
                switch parseOperand(cell(side)) {
                case .success(let value): row[side] = value
                case .failure(let problem): errors[name(side)] = problem.message
                }
            }
            return .object(row)
        case "td":
            let type = cell("type")
            let value = cell("value")
            switch type {
            case "cron": return ["type": "cron", "cron": .string(value)]
            case "at", "for":
                guard let number = Int(value) else {
                    errors[name("value")] = type == "at" ? "must be a time in Unix seconds" : "must be a number of seconds"
                    return nil
                }
                return .object(["type": .string(type), type == "at" ? "time" : "seconds": .int(number)])
            default:
                errors[name("type")] = "choose for, at or cron"
                return nil
            }
        case "fn":
            let argsText = cell("args").isEmpty ? "{}" : cell("args")
            do {
                let args = try JSONParser.parse(argsText)
                return ["mod": .string(cell("mod")), "method": .string(cell("method")), "args": args]
            } catch {
                errors[name("args")] = "invalid JSON at line \(error.line), column \(error.column): \(error.message)"
                return nil
            }
        default:
            let emails = cell("emails").split(whereSeparator: { $0 == "," || $0 == " " || $0 == ";" }).map { JSONValue.string(String($0)) }
            var row: [String: JSONValue] = ["emails": .array(emails)]
            if !cell("content").isEmpty { row["content"] = .string(cell("content")) }
            return .object(row)
        }
    }

    struct OperandError: Error { var message: String }

    /// `Module_1.status.key` → a status reference; otherwise a JSON constant.
    static func parseOperand(_ text: String) -> Result<JSONValue, OperandError> {
        if text.isEmpty { return .failure(OperandError(message: "is required")) }
        if let value = try? JSONParser.parse(text) { return .success(value) }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        if parts.count >= 2, parts.allSatisfy({ !$0.isEmpty && !$0.contains(" ") }) {
            return .success(["mod": .string(parts[0]), "status": .string(parts[1]), "keys": .array(parts.dropFirst(2).map(JSONValue.string))])
        }
        return .failure(OperandError(message: "write a status as Module_1.status or a JSON value (\"text\", 10, true)"))
    }

    /// The input a validation problem of `conditions…`/`actions…` belongs to.
    static func inputName(for field: String) -> String? {
        for group in groups {
            let prefix = "\(group.member.object).\(group.member.list)["
            guard field.hasPrefix(prefix) else { continue }
            let rest = field.dropFirst(prefix.count)
            guard let close = rest.firstIndex(of: "]"), let index = Int(rest[..<close]) else { return nil }
            let tail = rest[rest.index(after: close)...].drop { $0 == "." }
            var column = String(tail.prefix { $0 != "." && $0 != "[" })
            if group.prefix == "td", ["seconds", "time", "cron"].contains(column) { column = "value" }
            if !group.columns.contains(column) { column = group.columns[0] }
            return "\(group.prefix).\(index).\(column)"
        }
        return nil
    }

    // MARK: - Form values

    static func fieldGroups(inputs: [String: String], errors: [String: String]) -> [TemplateValue] {
        groups.map { group in
            let existing = (inputs.keys.compactMap { key -> Int? in
                let parts = key.split(separator: ".")
                return parts.count == 3 && parts[0] == group.prefix ? Int(parts[1]) : nil
            }.max() ?? -1) + 1
            let rows: [TemplateValue] = (0..<(existing + blankRows)).map { index in
                .list(group.columns.map { column in
                    let name = "\(group.prefix).\(index).\(column)"
                    return cell(group.prefix, column: column, name: name, value: inputs[name] ?? "", error: errors[name])
                })
            }
            return ["isGroup": true, "legend": .string(group.legend), "rows": .list(rows.map { ["cells": $0] })]
        }
    }

    private static func cell(_ prefix: String, column: String, name: String, value: String, error: String?) -> TemplateValue {
        var members: [String: TemplateValue] = [
            "name": .string(name), "label": .string(SiteKinds.label(column)), "value": .string(value), "error": .optional(error),
            "inputID": .string("f-" + name.replacingOccurrences(of: ".", with: "-")), "isGroup": false, "hint": .null,
        ]
        let choices: [String]? = switch (prefix, column) {
        case ("cmp", "operator"): operators
        case ("td", "type"): ["for", "at", "cron"]
        default: nil
        }
        if let choices {
            members["isSelect"] = true
            members["options"] = .list(([""] + choices).map { choice in
                ["value": .string(choice), "text": .string(choice.isEmpty ? "—" : choice.replacingOccurrences(of: "_", with: " ")),
                 "selected": .bool(choice == value)]
            })
        } else {
            members["isText"] = true
        }
        return .object(members)
    }
}
