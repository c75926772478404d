import ConfigRepo
import Cron
import Foundation

/// A trigger file read for running (PlaceOS semantics, docs/triggers.md). Validation refuses
/// malformed triggers before they are applied; what still cannot be read here is kept in
/// `problems` and shown on each instance, never a crash.
public struct TriggerDefinition: Sendable, Equatable {
    public var id: String
    public var name: String
    /// Our `enabled` (default true): false switches off every instance of the trigger at once.
    public var enabled: Bool
    /// How long a pulse (`at`, `cron`, webhook) stays true, and the least time between two
    /// firings (seconds; `debounce_period` is in milliseconds).
    public var debounce: Double
    public var comparisons: [Comparison]
    public var timeConditions: [TimeCondition]
    public var webhookEnabled: Bool
    /// Upper-case HTTP methods a webhook call may use (default POST).
    public var supportedMethods: [String]
    public var functions: [FunctionAction]
    public var mailers: [MailAction]
    public var webhooks: [WebhookAction]
    public var problems: [String]

    /// `timeZone` is used for `cron` conditions that name none (the system's time zone).
    public init(_ document: ConfigDocument, timeZone: TimeZone) {
        id = document.id
        name = document.string("name") ?? document.id
        enabled = document.bool("enabled") ?? true
        debounce = Double(max(0, document.int("debounce_period") ?? 0)) / 1000
        webhookEnabled = document.bool("enable_webhook") ?? false
        let methods = document.strings("supported_methods").map { $0.uppercased() }
        supportedMethods = methods.isEmpty ? ["POST"] : methods
        var problems: [String] = []
        let conditions = document.object("conditions") ?? [:]
        comparisons = (conditions["comparisons"]?.arrayValue ?? []).enumerated().compactMap { index, value in
            guard let op = value["operator"]?.stringValue.flatMap(ComparisonOperator.init(rawValue:)),
                  let left = value["left"].flatMap(Comparison.Operand.init), let right = value["right"].flatMap(Comparison.Operand.init) else {
                problems.append("conditions.comparisons[\(index)] cannot be read; it is left out")
                return nil
            }
            return Comparison(left: left, op: op, right: right)
        }
        timeConditions = (conditions["time_dependents"]?.arrayValue ?? []).enumerated().compactMap { index, value in
            let at = "conditions.time_dependents[\(index)]"
            switch value["type"]?.stringValue {
            case "at":
                guard let seconds = value["time"]?.doubleValue else { break }
                return .at(Date(timeIntervalSince1970: seconds))
            case "cron":
                guard let text = value["cron"]?.stringValue else { break }
                var zone = timeZone
                if let name = value["timezone"]?.stringValue {
                    guard let named = TimeZone(identifier: name) else {
                        problems.append("\(at).timezone: unknown time zone \"\(name)\"; the condition is left out")
                        return nil
                    }
                    zone = named
                }
                do { return .cron(try CronExpression(text, timeZone: zone)) } catch {
                    problems.append("\(at).cron: \(error); the condition is left out")
                    return nil
                }
            case "for":
                guard let seconds = value["seconds"]?.doubleValue, seconds > 0 else { break }
                return .held(seconds: seconds)
            default:
                break
            }
            problems.append("\(at) cannot be read; it is left out")
            return nil
        }
        let actions = document.object("actions") ?? [:]
        functions = (actions["functions"]?.arrayValue ?? []).enumerated().compactMap { index, value in
            guard let mod = value["mod"]?.stringValue, let (module, moduleIndex) = ModuleAddress.parse(mod),
                  let method = value["method"]?.stringValue, !method.isEmpty else {
                problems.append("actions.functions[\(index)] cannot be read; it is left out")
                return nil
            }
            return FunctionAction(module: module, index: moduleIndex, method: method, args: value["args"] ?? .object([:]))
        }
        mailers = (actions["mailers"]?.arrayValue ?? []).compactMap { value in
            let emails = value["emails"]?.arrayValue?.compactMap(\.stringValue).filter(MailAddress.isPlausible) ?? []
            return emails.isEmpty ? nil : MailAction(emails: emails, content: value["content"]?.stringValue ?? "")
        }
        webhooks = (actions["webhooks"]?.arrayValue ?? []).compactMap { value in
            guard let url = value["url"]?.stringValue else { return nil }
            return WebhookAction(url: url, method: (value["method"]?.stringValue ?? "POST").uppercased())
        }
        self.problems = problems
    }

    /// The status sides of every comparison, with where they are (comparison index, left side?).
    var statusSides: [(comparison: Int, left: Bool, reference: StatusReference)] {
        comparisons.enumerated().flatMap { index, comparison in
            [(index, true, comparison.left.reference), (index, false, comparison.right.reference)]
                .compactMap { entry in entry.2.map { (entry.0, entry.1, $0) } }
        }
    }
}
