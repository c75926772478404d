/// A trigger instance as the configuration defines it: one per (trigger, system), from the
/// system's own `triggers` list, from a zone of the system whose `triggers` names the trigger,
/// or from a trigger dedicated to the system (`control_system_id`). docs/triggers.md has the rules.
public struct TriggerInstanceConfig: Sendable, Hashable {
    /// Where the instance comes from, which is also where its problems are reported.
    public enum Origin: Sendable, Hashable {
        /// The entry at this index of the system's `triggers` list (it may override a zone's instance).
        case systemEntry(Int)
        /// The first zone of the system (in the system's order) whose `triggers` names it.
        case zone(String)
        /// The trigger's `control_system_id` names the system.
        case dedicated
    }

    /// The instance's webhook secret: sealed in the system's entry, or derived from the
    /// deployment secret (`SecretBox.derivedSecret`) when the entry gives none.
    public enum WebhookSecret: Sendable, Hashable {
        case sealed(envelope: String, binding: SecretBinding)
        case derived
    }

    public var id: String
    public var triggerID: String
    public var systemID: String
    public var origin: Origin
    /// Whether the instance runs at all (default true).
    public var enabled: Bool
    /// Whether a webhook call may execute a module function (default false, as in PlaceOS).
    public var execEnabled: Bool
    /// Default: the trigger's `important`.
    public var important: Bool
    public var webhookSecret: WebhookSecret
    /// The zone that applies the trigger, also when a system entry overrides that instance.
    public var zoneID: String?

    public init(id: String, triggerID: String, systemID: String, origin: Origin, enabled: Bool = true,
                execEnabled: Bool = false, important: Bool = false, webhookSecret: WebhookSecret = .derived,
                zoneID: String? = nil) {
        self.id = id
        self.triggerID = triggerID
        self.systemID = systemID
        self.origin = origin
        self.enabled = enabled
        self.execEnabled = execEnabled
        self.important = important
        self.webhookSecret = webhookSecret
        self.zoneID = zoneID
    }

    /// The id of an instance no entry names: `trig-` and 16 hex digits of the 64-bit FNV-1a
    /// hash of `systemID`, a zero byte and `triggerID`, so it stays the same from commit to
    /// commit and from node to node.
    public static func derivedID(system: String, trigger: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in Array(system.utf8) + [0] + Array(trigger.utf8) {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return "trig-" + String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// The file field that declares the instance (for problems): `triggers[2]`, `zones[1]`.
    public func field(in system: SystemView) -> String {
        switch origin {
        case .systemEntry(let index): "triggers[\(index)]"
        case .zone(let zone): system.zoneIDs.firstIndex(of: zone).map { "zones[\($0)]" } ?? "zones"
        case .dedicated: "triggers"
        }
    }
}
