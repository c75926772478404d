import ConfigRepo
import Foundation

/// The live state of one trigger instance, as the site, REST and the `_TRIGGER_` binding show
/// it: PlaceOS's fields (`triggered`, `trigger_count`, `action_errors`, `comparison_errors`,
/// `conditions`) and ours (`enabled`, `last_fired`, `last_error`, `problems`).
public struct TriggerInstanceState: Sendable, Equatable {
    public var instanceID: String
    public var triggerID: String
    public var systemID: String
    public var enabled: Bool
    /// Whether a webhook call may execute a module function (configuration).
    public var execEnabled: Bool
    /// The instance's `important` flag (configuration).
    public var important: Bool
    /// The trigger's and the system's names, for pages and lists.
    public var triggerName: String
    public var systemName: String
    public var triggered: Bool
    public var triggerCount: Int
    public var actionErrors: Int
    public var comparisonErrors: Int
    /// Every condition's current value (`comparison_0`, `time_0`, `webhook`).
    public var conditions: [String: Bool]
    public var lastFired: Date?
    /// The last action or comparison error, for people (no secrets: module errors and SMTP replies).
    public var lastError: String?
    /// Why the instance cannot fully run here: a module the system lacks, an unknown function,
    /// arguments that do not fit, a condition that cannot be read.
    public var problems: [String]

    /// PlaceOS's state object plus our fields; times in ISO 8601.
    public var json: JSONValue {
        var members: [String: JSONValue] = [
            "id": .string(instanceID), "trigger_id": .string(triggerID), "control_system_id": .string(systemID),
            "enabled": .bool(enabled), "exec_enabled": .bool(execEnabled), "important": .bool(important),
            "trigger_name": .string(triggerName), "system_name": .string(systemName), "triggered": .bool(triggered), "trigger_count": .int(triggerCount),
            "action_errors": .int(actionErrors), "comparison_errors": .int(comparisonErrors),
            "conditions": .object(conditions.mapValues(JSONValue.bool)),
            "problems": .array(problems.map(JSONValue.string)),
        ]
        members["last_fired"] = lastFired.map { .string(Self.format($0)) } ?? .null
        members["last_error"] = lastError.map(JSONValue.string) ?? .null
        return .object(members)
    }

    static func format(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }
}
