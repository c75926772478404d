import Cron
import Foundation

/// The structure of a trigger's conditions and actions (PlaceOS semantics, docs/triggers.md).
struct TriggerRules {
    static let operators = ["and", "or", "exclusive_or", "equal", "not_equal", "greater_than",
                            "greater_than_or_equal", "less_than", "less_than_or_equal"]
    static let httpMethods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]

    func check(_ document: ConfigDocument, into report: inout ProblemReport) {
        if let conditions = document.object("conditions") {
            checkComparisons(conditions["comparisons"], into: &report)
            checkTimeDependents(conditions["time_dependents"], comparisons: conditions["comparisons"]?.arrayValue?.count ?? 0,
                                into: &report)
        }
        if let actions = document.object("actions") {
            checkFunctions(actions["functions"], into: &report)
            checkMailers(actions["mailers"], into: &report)
            checkWebhooks(actions["webhooks"], into: &report)
        }
        for (index, method) in document.strings("supported_methods").enumerated() where !Self.httpMethods.contains(method) {
            report.add("supported_methods[\(index)]", "must be an HTTP method (\(Self.httpMethods.joined(separator: ", "))), found \"\(method)\"")
        }
    }

    private func list(_ value: JSONValue?, _ path: String, into report: inout ProblemReport) -> [(String, [String: JSONValue])] {
        guard let value else { return [] }
        guard let elements = value.arrayValue else {
            report.add(path, "must be a list, found \(describe(value))")
            return []
        }
        return elements.enumerated().compactMap { index, element in
            guard let members = element.objectValue else {
                report.add("\(path)[\(index)]", "must be an object, found \(describe(element))")
                return nil
            }
            return ("\(path)[\(index)]", members)
        }
    }

    private func checkComparisons(_ value: JSONValue?, into report: inout ProblemReport) {
        for (at, comparison) in list(value, "conditions.comparisons", into: &report) {
            guard let op = comparison["operator"]?.stringValue, Self.operators.contains(op) else {
                report.add("\(at).operator", "must be one of \(Self.operators.joined(separator: ", "))")
                continue
            }
            for side in ["left", "right"] {
                guard let operand = comparison[side] else {
                    report.add("\(at).\(side)", "is required")
                    continue
                }
                if let reference = operand.objectValue, reference["mod"] != nil || reference["status"] != nil {
                    checkStatusReference(reference, at: "\(at).\(side)", into: &report)
                }
            }
        }
    }

    private func checkStatusReference(_ reference: [String: JSONValue], at path: String, into report: inout ProblemReport) {
        if let mod = reference["mod"]?.stringValue {
            if !ModuleAddress.isValid(mod) {
                report.add("\(path).mod", "must name a module as Name_index (e.g. \"Display_1\"), found \"\(mod)\"")
            }
        } else {
            report.add("\(path).mod", "is required: the module whose status is compared (e.g. \"Display_1\")")
        }
        if reference["status"]?.stringValue?.isEmpty ?? true {
            report.add("\(path).status", "is required: the status name")
        }
        if let keys = reference["keys"], keys.arrayValue?.allSatisfy({ $0.stringValue != nil }) != true {
            report.add("\(path).keys", "must be a list of strings")
        }
    }

    private func checkTimeDependents(_ value: JSONValue?, comparisons: Int, into report: inout ProblemReport) {
        for (at, dependent) in list(value, "conditions.time_dependents", into: &report) {
            switch dependent["type"]?.stringValue {
            case "at":
                if dependent["time"]?.intValue == nil { report.add("\(at).time", "must be a time in Unix seconds") }
            case "cron":
                guard let cron = dependent["cron"]?.stringValue else {
                    report.add("\(at).cron", "is required for a cron condition")
                    continue
                }
                var zone = TimeZone(identifier: "UTC")!
                if let timezone = dependent["timezone"] {
                    if let name = timezone.stringValue, let named = TimeZone(identifier: name) {
                        zone = named
                    } else {
                        report.add("\(at).timezone", "must be an IANA time zone such as \"Australia/Sydney\", found \(describe(timezone))")
                    }
                }
                do { _ = try CronExpression(cron, timeZone: zone) } catch {
                    report.add("\(at).cron", "\(error.description)")
                }
            case "for":
                if (dependent["seconds"]?.intValue ?? 0) <= 0 { report.add("\(at).seconds", "must be a positive number of seconds") }
                if comparisons == 0 {
                    report.add("\(at)", "a `for` condition needs at least one comparison: it holds once the comparisons have held that long")
                }
            default:
                report.add("\(at).type", "must be \"at\", \"cron\" or \"for\"")
            }
        }
    }

    private func checkFunctions(_ value: JSONValue?, into report: inout ProblemReport) {
        for (at, function) in list(value, "actions.functions", into: &report) {
            if let mod = function["mod"]?.stringValue, ModuleAddress.isValid(mod) {} else {
                report.add("\(at).mod", "must name a module as Name_index (e.g. \"HVAC_1\")")
            }
            if function["method"]?.stringValue?.isEmpty ?? true { report.add("\(at).method", "is required") }
            if let args = function["args"], args.objectValue == nil, args.arrayValue == nil {
                report.add("\(at).args", "must be an object of named arguments or a list")
            }
        }
    }

    private func checkMailers(_ value: JSONValue?, into report: inout ProblemReport) {
        for (at, mailer) in list(value, "actions.mailers", into: &report) {
            let emails = mailer["emails"]?.arrayValue ?? []
            if emails.isEmpty { report.add("\(at).emails", "must be a non-empty list of email addresses") }
            for (index, email) in emails.enumerated() where !(email.stringValue.map(MailAddress.isPlausible) ?? false) {
                report.add("\(at).emails[\(index)]", "must be an email address, found \(describe(email))")
            }
            if let content = mailer["content"], content.stringValue == nil {
                report.add("\(at).content", "must be the text of the mail")
            }
        }
    }

    private func checkWebhooks(_ value: JSONValue?, into report: inout ProblemReport) {
        for (at, webhook) in list(value, "actions.webhooks", into: &report) {
            guard let url = webhook["url"]?.stringValue, url.hasPrefix("http://") || url.hasPrefix("https://") else {
                report.add("\(at).url", "must be an absolute http:// or https:// URL")
                continue
            }
            if let method = webhook["method"]?.stringValue, !Self.httpMethods.contains(method) {
                report.add("\(at).method", "must be an HTTP method, found \"\(method)\"")
            }
        }
    }
}

/// `Name_index` module addresses (`Display_1`), as systems address their modules.
public enum ModuleAddress {
    /// Whether `text` is `Name_index` (name without spaces, index ≥ 1) or a bare `Name`.
    public static func isValid(_ text: String) -> Bool { parse(text) != nil }

    /// Splits `Display_2` into ("Display", 2); a bare name means index 1.
    public static func parse(_ text: String) -> (name: String, index: Int)? {
        guard !text.isEmpty, !text.contains(" ") else { return nil }
        if let underscore = text.lastIndex(of: "_"), let index = Int(text[text.index(after: underscore)...]) {
            let name = String(text[..<underscore])
            return index >= 1 && !name.isEmpty ? (name, index) : nil
        }
        return (text, 1)
    }
}
