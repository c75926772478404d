import ConfigRepo

/// Where status and metadata go on a broker, in PlaceOS's layout (placeos-api.md §6):
///
/// - state: `placeos/<org>/state/<region>/<building>/<level>/<area>/<system>/<driver>/<module name>/<index>/<status>`,
///   the zone levels being the ids of the system's zones tagged so, `_` where it has none;
/// - metadata: `placeos/<org>/metadata/<id>` for the systems, zones and drivers under an org.
///
/// Only systems with a zone tagged `org` are published (PlaceOS `source` does the same). A pure
/// value: built from a snapshot, compared between commits to find the topics that move.
public struct MQTTTopicLayout: Sendable, Equatable {
    /// The zone tags that make the levels of a state topic, in order.
    public static let hierarchy = ["org", "region", "building", "level", "area"]

    /// Module id → the prefix of its state topics (everything but `/<status>`), one per system.
    public private(set) var stateTopics: [String: [String]] = [:]
    /// Metadata topic → the model's JSON, without settings or secrets.
    public private(set) var metadata: [String: [UInt8]] = [:]
    /// Module id → why it has no state topics although its system is published.
    public private(set) var unpublishable: [String: String] = [:]

    public init() {}

    public init(snapshot: Snapshot, directory: SystemDirectory) {
        var driverOrgs: [String: Set<String>] = [:]
        for system in snapshot.unordered(.system) {
            let levels = Self.levels(of: SystemView(system), in: snapshot)
            guard let org = levels["org"] else { continue }
            metadata[Self.metadataTopic(org: org, id: system.id)] = Self.metadataPayload(system)
            let zonePath = Self.hierarchy.dropFirst().map { levels[$0] ?? "_" }.joined(separator: "/")
            for entry in directory.systems[system.id] ?? [] {
                guard let module = snapshot.document(.module, entry.moduleID), let driverID = ModuleView(module).driverID else { continue }
                driverOrgs[driverID, default: []].insert(org)
                if let problem = Self.levelProblem(entry.name) {
                    unpublishable[entry.moduleID] = "its name \"\(entry.name)\" cannot be a topic level: \(problem)"
                    continue
                }
                let prefix = "placeos/\(org)/state/\(zonePath)/\(system.id)/\(driverID)/\(entry.name)/\(entry.index)"
                stateTopics[entry.moduleID, default: []].append(prefix)
            }
        }
        for zone in snapshot.unordered(.zone) {
            // A zone belongs to the org zone it is, or the nearest one above it.
            let chain = [zone.id] + snapshot.ancestors(ofZone: zone.id)
            guard let org = chain.first(where: { id in
                snapshot.document(.zone, id).map { ZoneView($0).tags.contains("org") } ?? false
            }) else { continue }
            metadata[Self.metadataTopic(org: org, id: zone.id)] = Self.metadataPayload(zone)
        }
        for (driverID, orgs) in driverOrgs {
            guard let driver = snapshot.document(.driver, driverID) else { continue }
            for org in orgs { metadata[Self.metadataTopic(org: org, id: driverID)] = Self.metadataPayload(driver) }
        }
        for (module, prefixes) in stateTopics { stateTopics[module] = prefixes.sorted() }
    }

    /// The state topic of one status of a module under `prefix`.
    public static func stateTopic(prefix: String, status: String) -> String { prefix + "/" + status }

    public static func metadataTopic(org: String, id: String) -> String { "placeos/\(org)/metadata/\(id)" }

    /// Why `segment` cannot be one level of a topic, or nil: a level is not empty and holds no
    /// `/` (it would add levels), `+` or `#` (wildcards) or NUL.
    public static func levelProblem(_ segment: String) -> String? {
        if segment.isEmpty { return "it is empty" }
        for character in segment.unicodeScalars {
            switch character {
            case "/": return "it contains \"/\""
            case "+", "#": return "it contains the wildcard \"\(character)\""
            case "\u{0}": return "it contains a NUL character"
            default: continue
            }
        }
        return nil
    }

    /// Tag → zone id for a system's zones in the hierarchy; a later zone wins a tag (as PlaceOS
    /// builds its mapping), and each zone counts for the first hierarchy tag it carries.
    static func levels(of system: SystemView, in snapshot: Snapshot) -> [String: String] {
        var levels: [String: String] = [:]
        for zoneID in system.zoneIDs {
            guard let zone = snapshot.document(.zone, zoneID).map(ZoneView.init),
                  let tag = zone.tags.first(where: { hierarchy.contains($0) }) else { continue }
            levels[tag] = zoneID
        }
        return levels
    }

    /// The object's JSON with its id, minus what must not leave the deployment: settings,
    /// secret fields and trigger instances' webhook secrets.
    static func metadataPayload(_ document: ConfigDocument) -> [UInt8] {
        var members = document.members
        members["id"] = .string(document.id)
        for field in document.kind.fields {
            switch field.type {
            case .settings, .secret:
                members[field.name] = nil
            case .triggerInstances:
                if let instances = members[field.name]?.arrayValue {
                    members[field.name] = .array(instances.map { instance in
                        guard var object = instance.objectValue else { return instance }
                        object["webhook_secret"] = nil
                        return .object(object)
                    })
                }
            default:
                continue
            }
        }
        return Array(JSONWriter.compactString(.object(members)).utf8)
    }
}
