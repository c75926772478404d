import ConfigRepo

/// The three forms of a ``ChangeReview``: `text` for a terminal, `markdown` for a comment on
/// a pull request, `json` for tools. Each says the same things in the same order: the
/// changes, the validation result, the runtime plan.
public enum ChangeReviewFormat: String, Sendable, CaseIterable {
    case text, markdown, json

    public func render(_ review: ChangeReview) -> String {
        switch self {
        case .text: Self.text(review)
        case .markdown: Self.markdown(review)
        case .json: JSONWriter.canonicalString(Self.json(review))
        }
    }

    private static func label(_ commit: CommitInfo?) -> String { commit?.id.short ?? "(empty)" }

    private static func count(_ number: Int, _ noun: String) -> String {
        "\(number) \(noun)\(number == 1 ? "" : "s")"
    }

    private static func validationLine(_ review: ChangeReview) -> String {
        review.passes ? "\(label(review.head)) passes validation"
            : "\(label(review.head)) fails validation with \(count(review.problems.count, "problem"))"
    }

    private static func planHeadline(_ review: ChangeReview) -> String? {
        if !review.passes { return "not applied: the runtime keeps running \(label(review.base))" }
        if review.plan.isEmpty { return "no module or trigger is started, stopped, restarted or updated" }
        return nil
    }

    // MARK: - Text

    static func text(_ review: ChangeReview) -> String {
        var lines = ["\(label(review.base)) → \(label(review.head)): \(count(review.changes.count, "change"))"]
        lines += review.changes.map { "  " + $0.line }
        lines += ["", "Validation: " + validationLine(review)]
        lines += review.problems.map { "  " + $0.description }
        lines += ["", "At runtime:"]
        if let headline = planHeadline(review) { lines.append("  " + headline) }
        if review.passes { lines += review.planLines.map { "  " + $0 } }
        return lines.joined(separator: "\n") + "\n"
    }

    // MARK: - Markdown

    static func markdown(_ review: ChangeReview) -> String {
        var lines = ["### BackOffice: `\(label(review.base))` → `\(label(review.head))`", ""]
        lines.append(review.passes ? "**✅ \(validationLine(review))**" : "**❌ \(validationLine(review))**")
        lines += ["", "#### Changes (\(review.changes.count))", ""]
        lines += review.changes.isEmpty ? ["No configuration change."] : review.changes.map { "- " + code($0.line) }
        if !review.passes {
            lines += ["", "#### Problems", "", "| File | Field | Problem |", "| --- | --- | --- |"]
            lines += review.problems.map { "| \(code($0.path)) | \(code($0.field)) | \(escaped($0.message)) |" }
        }
        lines += ["", "#### At runtime", ""]
        if let headline = planHeadline(review) { lines.append(escaped(headline.prefix(1).uppercased() + headline.dropFirst()) + ".") }
        if review.passes { lines += review.planLines.map { "- " + escaped($0) } }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Inline code that survives any content: a run of backticks longer than any inside, and
    /// `|` escaped so a table cell stays one cell.
    static func code(_ text: String) -> String {
        guard !text.isEmpty else { return "" }
        var longest = 0, run = 0
        for character in text {
            run = character == "`" ? run + 1 : 0
            longest = max(longest, run)
        }
        let fence = String(repeating: "`", count: longest + 1)
        let body = text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
        let pad = body.hasPrefix("`") || body.hasSuffix("`") ? " " : ""
        return fence + pad + body + pad + fence
    }

    /// Text with Markdown and HTML meaning taken away.
    static func escaped(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "\\", "`", "*", "_", "[", "]", "|", "#", "~", "!": out += "\\\(character)"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "\n": out += " "
            default: out.append(character)
            }
        }
        return out
    }

    // MARK: - JSON

    static func json(_ review: ChangeReview) -> JSONValue {
        func commit(_ info: CommitInfo?) -> JSONValue {
            guard let info else { return .null }
            return .object(["id": .string(info.id.hex), "subject": .string(info.subject),
                            "author": .string("\(info.author.name) <\(info.author.email)>")])
        }
        let changes: [JSONValue] = review.changes.map { change in
            var members: [String: JSONValue] = ["path": .string(change.path), "action": .string(change.action.rawValue),
                                                "name": .string(change.name), "text": .string(change.line)]
            if case .object(let ref) = change.subject {
                members["kind"] = .string(ref.kind.directory)
                members["id"] = .string(ref.id)
            }
            members["fields"] = .array(change.fields.map { field in
                var item: [String: JSONValue] = ["path": .string(field.path), "text": .string(field.text), "secret": .bool(field.isSecret)]
                if !field.isSecret {
                    item["old"] = field.old ?? .null
                    item["new"] = field.new ?? .null
                }
                return .object(item)
            })
            return .object(members)
        }
        let modules: [JSONValue] = review.plan.modules.map { action in
            let (verb, id, _) = action.words
            let key = if case .remap = action { "system" } else { "module" }
            return .object(["action": .string(verb), key: .string(id), "name": .string(review.names[id] ?? id)])
        }
        let triggers: [JSONValue] = review.plan.triggers.map { change in
            .object(["action": .string(change.action.rawValue), "instance": .string(change.instance),
                     "trigger": .string(change.trigger), "system": .string(change.system)])
        }
        return .object([
            "base": commit(review.base), "head": commit(review.head),
            "changes": .array(changes),
            "valid": .bool(review.passes),
            "problems": .array(review.problems.map { .object(["path": .string($0.path), "field": .string($0.field),
                                                               "message": .string($0.message)]) }),
            "runtime": .object(["applied": .bool(review.passes), "modules": .array(modules), "triggers": .array(triggers)]),
        ])
    }
}
