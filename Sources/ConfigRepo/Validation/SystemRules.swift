/// System rules beyond field types: the room's place on a level map.
struct SystemRules {
    let snapshot: Snapshot

    func check(_ document: ConfigDocument, into report: inout ProblemReport) {
        let system = SystemView(document)
        if let mapID = system.mapID, !mapID.isEmpty {
            let mapNames = system.zoneIDs.compactMap { snapshot.document(.zone, $0).flatMap { ZoneView($0).mapID } }
            let available = mapNames.filter { snapshot.maps[$0] != nil }
            if !available.isEmpty, !available.contains(where: { mapContainsElement(snapshot.maps[$0]!, id: mapID) }) {
                report.add("map_id", "no element with id \"\(mapID)\" in the map of its zones (\(available.map { "maps/\($0)" }.joined(separator: ", ")))")
            }
        }
    }

    /// Whether an SVG has an element with this `id` attribute (a text search, no parse).
    private func mapContainsElement(_ svg: [UInt8], id: String) -> Bool {
        let needles = ["id=\"\(id)\"", "id='\(id)'"].map { Array($0.utf8) }
        return needles.contains { needle in svg.firstRange(of: needle) != nil }
    }
}

/// Rules for the trigger instances a system carries in `triggers`.
struct TriggerInstanceRules {
    let snapshot: Snapshot

    func check(_ value: JSONValue, at path: String, into report: inout ProblemReport) {
        guard let instances = value.arrayValue else {
            return report.add(path, "must be a list of trigger instances, found \(describe(value))")
        }
        var ids = Set<String>()
        let rules = FieldRules(snapshot: snapshot)
        for (index, instance) in instances.enumerated() {
            let at = "\(path)[\(index)]"
            guard let members = instance.objectValue else {
                report.add(at, "must be an object with trigger_id, found \(describe(instance))")
                continue
            }
            if let id = members["id"] {
                if let text = id.stringValue, text.hasPrefix("trig-"), IdentifierRules.isValidIDBody(text.dropFirst(5)) {
                    if !ids.insert(text).inserted { report.add("\(at).id", "\"\(text)\" is used by another instance of this system") }
                } else {
                    report.add("\(at).id", "must be an id starting with \"trig-\", found \(describe(id))")
                }
            }
            let fields = [FieldSpec("trigger_id", .reference(.trigger), required: true), FieldSpec("enabled", .bool),
                          FieldSpec("important", .bool), FieldSpec("exec_enabled", .bool), FieldSpec("webhook_secret", .secret)]
            for field in fields {
                guard let member = members[field.name] else {
                    if field.required { report.add("\(at).\(field.name)", "is required") }
                    continue
                }
                rules.check(member, as: field.type, at: "\(at).\(field.name)", into: &report)
            }
        }
    }
}
