/// The relations the site, the runtime and cascades ask about, answered from the indexes.
extension Snapshot {
    /// Systems that list the zone, sorted by id.
    public func systems(inZone zoneID: String) -> [String] {
        references.referrers(of: ObjectRef(.zone, zoneID), ofKind: .system)
    }

    /// Zones whose parent is the zone, sorted by id.
    public func childZones(of zoneID: String) -> [String] {
        references.referrers(of: ObjectRef(.zone, zoneID), ofKind: .zone)
    }

    /// The system's modules in order (ids that do not resolve are skipped).
    public func modules(ofSystem systemID: String) -> [ConfigDocument] {
        guard let system = document(.system, systemID) else { return [] }
        return SystemView(system).moduleIDs.compactMap { document(.module, $0) }
    }

    /// Systems that list the module, sorted by id.
    public func systems(usingModule moduleID: String) -> [String] {
        references.referrers(of: ObjectRef(.module, moduleID), ofKind: .system)
    }

    /// Modules of the driver, sorted by id.
    public func modules(ofDriver driverID: String) -> [String] {
        references.referrers(of: ObjectRef(.driver, driverID), ofKind: .module)
    }

    /// Drivers from the repository, sorted by id.
    public func drivers(ofRepository repositoryID: String) -> [String] {
        references.referrers(of: ObjectRef(.repository, repositoryID), ofKind: .driver)
    }

    /// Metadata ids (`<parent>/<name>`) of a zone, system or user, sorted.
    public func metadata(of parent: ObjectRef) -> [String] {
        references.referrers(of: parent, ofKind: .metadata)
    }

    /// Logic modules whose `control_system_id` is the system, sorted by id.
    public func logicModules(ofSystem systemID: String) -> [String] {
        references.referrers(of: ObjectRef(.system, systemID), ofKind: .module)
    }

    /// Trigger ids that apply to a system: its own instances, triggers of its zones,
    /// and triggers declared for it alone; without duplicates, in that order.
    public func triggers(ofSystem systemID: String) -> [String] {
        guard let system = document(.system, systemID).map(SystemView.init) else { return [] }
        var seen = Set<String>()
        var result: [String] = []
        let own = system.triggerInstances.compactMap { $0["trigger_id"]?.stringValue }
        let fromZones = system.zoneIDs.flatMap { document(.zone, $0).map { ZoneView($0).triggerIDs } ?? [] }
        let dedicated = references.referrers(of: ObjectRef(.system, systemID), ofKind: .trigger)
        for id in own + fromZones + dedicated where seen.insert(id).inserted {
            result.append(id)
        }
        return result
    }

    /// Trigger ids a zone applies to its systems.
    public func triggers(ofZone zoneID: String) -> [String] {
        document(.zone, zoneID).map { ZoneView($0).triggerIDs } ?? []
    }

    /// The zone's ancestors, nearest first; stops at a cycle.
    public func ancestors(ofZone zoneID: String) -> [String] {
        var chain: [String] = []
        var seen: Set<String> = [zoneID]
        var current = document(.zone, zoneID).flatMap { ZoneView($0).parentID }
        while let id = current, seen.insert(id).inserted {
            chain.append(id)
            current = document(.zone, id).flatMap { ZoneView($0).parentID }
        }
        return chain
    }

    /// The driver of a module, if it resolves.
    public func driver(ofModule module: ConfigDocument) -> DriverView? {
        ModuleView(module).driverID.flatMap { document(.driver, $0) }.map(DriverView.init)
    }
}
