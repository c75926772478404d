/// Whether each trigger instance can run in its system, as far as the configuration knows:
/// the modules its comparisons and function actions name (`Name_index`) must be modules of the
/// system. Statuses and functions are only known from the running driver, so the runtime
/// reports those on the instance (docs/triggers.md).
///
/// Instances someone asked for by name must resolve: an entry in a system's `triggers`
/// (reported there, `triggers[i]`) and a trigger dedicated to a system (reported on the
/// trigger). A zone applies its triggers to every room it holds, and a room may lack a module
/// (deleting a room's HVAC must not need a trigger edit): such an instance reports the missing
/// module on itself at run time. But a module that none of the rooms a trigger runs in has is
/// a mistake (a typo), refused on the trigger. Disabled instances are not checked: disabling a
/// zone trigger's instance is how a room opts out.
struct TriggerBindingRules {
    let snapshot: Snapshot

    /// A system's own entries: no second entry for one trigger, none for a trigger of another
    /// system, and the modules of each enabled entry's trigger resolve.
    func checkSystem(_ document: ConfigDocument, into report: inout ProblemReport) {
        let system = SystemView(document)
        var entryOf: [String: Int] = [:]
        for (index, entry) in system.triggerInstances.enumerated() {
            guard let triggerID = entry["trigger_id"]?.stringValue, let trigger = snapshot.document(.trigger, triggerID) else { continue }
            if let first = entryOf[triggerID] {
                report.add("triggers[\(index)].trigger_id", "trigger \"\(triggerID)\" already has an instance in this system (triggers[\(first)]); a system runs one instance per trigger")
            } else {
                entryOf[triggerID] = index
            }
            if let owner = trigger.string("control_system_id"), owner != system.id {
                report.add("triggers[\(index)].trigger_id", "trigger \"\(triggerID)\" is dedicated to system \"\(owner)\" (its control_system_id)")
            }
        }
        var addresses: [SystemModuleAddress]?
        for instance in snapshot.triggerInstances(ofSystem: system.id) where instance.enabled {
            guard case .systemEntry = instance.origin, let trigger = snapshot.document(.trigger, instance.triggerID) else { continue }
            let known = addresses ?? snapshot.moduleAddresses(ofSystem: system.id)
            addresses = known
            for (field, name) in moduleNames(in: trigger) where !Self.resolves(name, in: known) {
                report.add(instance.field(in: system), "trigger \"\(trigger.displayName)\" names \(name.text) in \(trigger.path) \(field), but this system has \(describe(known)); add the module or set \"enabled\": false here")
            }
        }
    }

    /// A zone cannot apply a trigger dedicated to one system.
    func checkZone(_ document: ConfigDocument, into report: inout ProblemReport) {
        for (index, triggerID) in ZoneView(document).triggerIDs.enumerated() {
            if let owner = snapshot.document(.trigger, triggerID)?.string("control_system_id") {
                report.add("triggers[\(index)]", "trigger \"\(triggerID)\" is dedicated to system \"\(owner)\" (its control_system_id); a zone cannot apply it")
            }
        }
    }

    /// A trigger's module names: in its system when it is dedicated to one, else in at least one
    /// of the systems where an enabled instance of it runs (none: nothing to check).
    func checkTrigger(_ trigger: ConfigDocument, into report: inout ProblemReport) {
        let names = moduleNames(in: trigger)
        guard !names.isEmpty else { return }
        if let systemID = trigger.string("control_system_id") {
            guard snapshot.document(.system, systemID) != nil,
                  snapshot.triggerInstances(ofSystem: systemID).first(where: { $0.triggerID == trigger.id })?.enabled ?? true else { return }
            let addresses = snapshot.moduleAddresses(ofSystem: systemID)
            for (field, name) in names where !Self.resolves(name, in: addresses) {
                report.add(field, "names module \(name.text), but system \"\(systemID)\" has \(describe(addresses))")
            }
            return
        }
        let systems = systemsRunning(trigger)
        guard !systems.isEmpty else { return }
        var unresolved = names
        for system in systems {
            let addresses = snapshot.moduleAddresses(ofSystem: system)
            unresolved.removeAll { Self.resolves($0.name, in: addresses) }
            if unresolved.isEmpty { return }
        }
        for (field, name) in unresolved {
            let holders = systems.count == 1 ? "the system it runs in (\(systems[0])) does not have" : "none of the \(systems.count) systems it runs in has"
            report.add(field, "names module \(name.text), which \(holders)")
        }
    }

    /// Systems with an enabled instance of a (not dedicated) trigger: through the zones that apply
    /// it and through systems' own entries.
    private func systemsRunning(_ trigger: ConfigDocument) -> [String] {
        let ref = trigger.ref
        let candidates = Set(snapshot.references.referrers(of: ref, ofKind: .zone).flatMap { snapshot.systems(inZone: $0) })
            .union(snapshot.references.referrers(of: ref, ofKind: .system))
        return candidates.sorted().filter { system in
            snapshot.triggerInstances(ofSystem: system).contains { $0.triggerID == trigger.id && $0.enabled }
        }
    }

    private static func resolves(_ name: SystemModuleAddress, in addresses: [SystemModuleAddress]) -> Bool {
        addresses.contains { $0.name == name.name && $0.index == name.index }
    }

    /// (field, `Name_index`) for each `mod` of the trigger's comparisons and function actions.
    private func moduleNames(in trigger: ConfigDocument) -> [(field: String, name: SystemModuleAddress)] {
        var result: [(String, SystemModuleAddress)] = []
        func add(_ mod: JSONValue?, at field: String) {
            guard let text = mod?.stringValue, let (name, index) = ModuleAddress.parse(text) else { return }
            result.append((field, SystemModuleAddress(moduleID: "", name: name, index: index)))
        }
        let comparisons = trigger.object("conditions")?["comparisons"]?.arrayValue ?? []
        for (index, comparison) in comparisons.enumerated() {
            for side in ["left", "right"] {
                if let reference = comparison[side]?.objectValue { add(reference["mod"], at: "conditions.comparisons[\(index)].\(side).mod") }
            }
        }
        let functions = trigger.object("actions")?["functions"]?.arrayValue ?? []
        for (index, function) in functions.enumerated() { add(function["mod"], at: "actions.functions[\(index)].mod") }
        return result
    }

    private func describe(_ addresses: [SystemModuleAddress]) -> String {
        guard !addresses.isEmpty else { return "no modules" }
        let names = addresses.prefix(12).map(\.text).joined(separator: ", ")
        return "modules " + names + (addresses.count > 12 ? ", …" : "")
    }
}
