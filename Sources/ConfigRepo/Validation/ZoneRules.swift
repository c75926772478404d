/// Zone hierarchy and map rules.
struct ZoneRules {
    let snapshot: Snapshot

    func check(_ document: ConfigDocument, into report: inout ProblemReport) {
        let zone = ZoneView(document)
        if let parentID = zone.parentID {
            if parentID == zone.id {
                report.add("parent_id", "a zone cannot be its own parent")
            } else if let cycle = cycle(from: zone.id) {
                report.add("parent_id", "zone parents form a cycle: \(cycle.joined(separator: " → "))")
            }
        }
        if let mapID = zone.mapID, !mapID.isEmpty, snapshot.maps[mapID] == nil {
            report.add("map_id", "names the map \"maps/\(mapID)\", which does not exist")
        }
    }

    /// The cycle through `zoneID`'s parents back to itself, if there is one.
    private func cycle(from zoneID: String) -> [String]? {
        var chain = [zoneID]
        var seen: Set<String> = [zoneID]
        var current = snapshot.document(.zone, zoneID).flatMap { ZoneView($0).parentID }
        while let id = current {
            chain.append(id)
            if id == zoneID { return chain }
            guard seen.insert(id).inserted else { return nil }  // a cycle above, reported there
            current = snapshot.document(.zone, id).flatMap { ZoneView($0).parentID }
        }
        return nil
    }
}
