extension Snapshot {
    /// The trigger instances of a system, one per trigger: the system's own entries first (an
    /// entry for a trigger a zone also applies is that instance, with the entry's id, switches
    /// and secret), then the triggers of its zones in zone order, then triggers dedicated to it.
    /// Entries naming a missing trigger, a second entry for the same trigger and triggers
    /// dedicated to another system are left out (validation reports them).
    public func triggerInstances(ofSystem systemID: String) -> [TriggerInstanceConfig] {
        guard let document = document(.system, systemID) else { return [] }
        let system = SystemView(document)
        var instances: [TriggerInstanceConfig] = []
        var seen = Set<String>()
        func applicable(_ triggerID: String) -> ConfigDocument? {
            guard let trigger = self.document(.trigger, triggerID) else { return nil }
            if let owner = trigger.string("control_system_id"), owner != systemID { return nil }
            return trigger
        }
        let zoneOf: [String: String] = system.zoneIDs.reversed().reduce(into: [:]) { result, zone in
            for trigger in triggers(ofZone: zone) { result[trigger] = zone }
        }
        for (index, entry) in system.triggerInstances.enumerated() {
            guard let triggerID = entry["trigger_id"]?.stringValue, let trigger = applicable(triggerID),
                  seen.insert(triggerID).inserted else { continue }
            var secret = TriggerInstanceConfig.WebhookSecret.derived
            if let envelope = entry["webhook_secret"]?.stringValue {
                secret = .sealed(envelope: envelope, binding: .field(objectID: systemID, path: "triggers[\(index)].webhook_secret"))
            }
            instances.append(TriggerInstanceConfig(
                id: entry["id"]?.stringValue ?? TriggerInstanceConfig.derivedID(system: systemID, trigger: triggerID),
                triggerID: triggerID, systemID: systemID, origin: .systemEntry(index),
                enabled: entry["enabled"]?.boolValue ?? true, execEnabled: entry["exec_enabled"]?.boolValue ?? false,
                important: entry["important"]?.boolValue ?? trigger.bool("important") ?? false,
                webhookSecret: secret, zoneID: zoneOf[triggerID]))
        }
        func derived(_ triggerID: String, origin: TriggerInstanceConfig.Origin) {
            guard let trigger = applicable(triggerID), seen.insert(triggerID).inserted else { return }
            instances.append(TriggerInstanceConfig(
                id: TriggerInstanceConfig.derivedID(system: systemID, trigger: triggerID), triggerID: triggerID,
                systemID: systemID, origin: origin, important: trigger.bool("important") ?? false,
                zoneID: zoneOf[triggerID]))
        }
        for zone in system.zoneIDs {
            for triggerID in triggers(ofZone: zone) { derived(triggerID, origin: .zone(zone)) }
        }
        for triggerID in references.referrers(of: ObjectRef(.system, systemID), ofKind: .trigger) {
            derived(triggerID, origin: .dedicated)
        }
        return instances
    }

    /// Every trigger instance of the configuration, by system id.
    public func allTriggerInstances() -> [String: [TriggerInstanceConfig]] {
        var result: [String: [TriggerInstanceConfig]] = [:]
        for system in unordered(.system) {
            let instances = triggerInstances(ofSystem: system.id)
            if !instances.isEmpty { result[system.id] = instances }
        }
        return result
    }
}
