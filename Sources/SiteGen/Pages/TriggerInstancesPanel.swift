import ConfigRepo

/// The live list of trigger instances on a system's Triggers tab and on a trigger's page,
/// rendered per request into the pre-rendered page (`DetailPage.triggerPanelMarker`): each
/// instance's state, its switches for editors of systems, "fire now" and the webhook URL with
/// its secret for administrators only. Rows carry `data-trigger` so the live feed keeps them current.
public struct TriggerInstancesPanel {
    /// One instance as the panel shows it; the web layer fills it from the runtime.
    public struct Row: Sendable {
        public var instanceID: String
        public var triggerID: String
        public var triggerName: String
        public var systemID: String
        public var systemName: String
        public var enabled: Bool
        public var execEnabled: Bool
        public var triggered: Bool
        public var triggerCount: Int
        public var actionErrors: Int
        public var comparisonErrors: Int
        /// `comparison_0` … in order, with their current values.
        public var conditions: [(name: String, value: Bool)]
        public var lastFired: String?
        public var lastError: String?
        public var problems: [String]
        /// Where it comes from, in words: "this system", "zone Level 1", "dedicated".
        public var origin: String
        /// The full webhook URL with its secret: set only for administrators, and only when the trigger takes webhooks.
        public var webhookURL: String?

        public init(instanceID: String, triggerID: String, triggerName: String, systemID: String, systemName: String,
                    enabled: Bool, execEnabled: Bool, triggered: Bool, triggerCount: Int, actionErrors: Int, comparisonErrors: Int,
                    conditions: [(name: String, value: Bool)], lastFired: String?, lastError: String?, problems: [String],
                    origin: String, webhookURL: String?) {
            self.instanceID = instanceID
            self.triggerID = triggerID
            self.triggerName = triggerName
            self.systemID = systemID
            self.systemName = systemName
            self.enabled = enabled
            self.execEnabled = execEnabled
            self.triggered = triggered
            self.triggerCount = triggerCount
            self.actionErrors = actionErrors
            self.comparisonErrors = comparisonErrors
            self.conditions = conditions
            self.lastFired = lastFired
            self.lastError = lastError
            self.problems = problems
            self.origin = origin
            self.webhookURL = webhookURL
        }
    }

    /// What the reader may do: switch instances (editors of systems), fire them (administrators).
    public struct Permissions: Sendable {
        public var canSwitch: Bool
        public var canFire: Bool
        public init(canSwitch: Bool, canFire: Bool) {
            self.canSwitch = canSwitch
            self.canFire = canFire
        }
    }

    /// `rows` of one system (`bySystem`: the columns name the trigger) or of one trigger (they
    /// name the system); forms post to each row's system (`SiteURL.triggers(system:)`) with
    /// `token(system)` and come back to `back` (`system` or `trigger`).
    /// `signingSecret`: the trigger's outgoing-webhook signing secret, for administrators only.
    public static func values(rows: [Row], bySystem: Bool, permissions: Permissions, back: String, signingSecret: String? = nil,
                              token: (String) -> String) -> TemplateValue {
        let items: [TemplateValue] = rows.map { row in
            var item: [String: TemplateValue] = [
                "id": .string(row.instanceID),
                "name": .string(bySystem ? row.triggerName : row.systemName),
                "href": .string(bySystem ? SiteURL.detail(ObjectRef(.trigger, row.triggerID)) : SiteURL.detail(ObjectRef(.system, row.systemID)) + "#triggers"),
                "origin": .string(row.origin),
                "enabled": .bool(row.enabled), "execEnabled": .bool(row.execEnabled), "triggered": .bool(row.triggered),
                "count": .int(row.triggerCount), "actionErrors": .int(row.actionErrors), "comparisonErrors": .int(row.comparisonErrors),
                "conditions": .list(row.conditions.map { ["name": .string($0.name), "on": .bool($0.value)] }),
                "lastFired": .optional(row.lastFired), "lastError": .optional(row.lastError),
                "problems": .list(row.problems.map(TemplateValue.string)),
                "webhookURL": .optional(row.webhookURL),
            ]
            if permissions.canSwitch || permissions.canFire {
                item["action"] = .string(SiteURL.triggers(system: row.systemID))
                item["token"] = .string(token(row.systemID))
                item["back"] = .string(back)
                item["canSwitch"] = .bool(permissions.canSwitch)
                item["canFire"] = .bool(permissions.canFire)
            }
            return .object(item)
        }
        return ["rows": .list(items), "column": .string(bySystem ? "Trigger" : "System"), "empty": .bool(items.isEmpty),
                "signingSecret": .optional(signingSecret)]
    }
}
