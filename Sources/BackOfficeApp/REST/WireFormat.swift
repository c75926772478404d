import Auth
import ConfigRepo
import Runtime

/// A configuration object as PlaceOS v2 returns it (placeos-api §1–§2): the file's members
/// (unknown keys included) plus `id`, `created_at` and `updated_at` (Unix seconds, from the
/// `FileTimeline`), `version` (how many commits changed the file: docs/rest-api.md), the fields
/// PlaceOS derives (a module's `name`, `role`, `connected`, `driver{…}`, `control_system{…}`),
/// and `settings` as the reader may see them: levels they may read decrypted, higher levels as
/// their ciphertext, `never_display` never.
struct WireFormat: Sendable {
    /// Members a client sends back that are ours to compute, never stored.
    static func derivedMembers(of kind: Kind) -> Set<String> {
        let common: Set<String> = ["id", "created_at", "updated_at", "version"]
        return switch kind {
        case .module: common.union(["name", "role", "connected", "driver", "control_system"])
        case .system: common.union(["zone_data", "module_data"])
        default: common
        }
    }

    /// Members never shown nor taken from a client: an API key's `secret_hash` (the salted
    /// hash of its secret).
    static func hiddenMembers(of kind: Kind) -> Set<String> {
        kind == .apiKey ? ["secret_hash"] : []
    }

    let snapshot: Snapshot
    let timeline: FileTimeline
    let principal: Principal
    let box: SecretBox?
    let engine: RuntimeEngine?

    func json(_ document: ConfigDocument) -> JSONValue {
        var members = document.members
        for hidden in Self.hiddenMembers(of: document.kind) { members.removeValue(forKey: hidden) }
        members["id"] = .string(document.id)
        let entry = timeline.entry(document.path)
        members["created_at"] = .int(entry?.created ?? 0)
        members["updated_at"] = .int(entry?.updated ?? 0)
        members["version"] = .int(Self.version(of: entry))
        for field in document.kind.fields {
            guard let value = members[field.name] else { continue }
            switch field.type {
            case .settings: members[field.name] = settings(value, objectID: document.id)
            // Secrets leave only as ciphertext, and only to admins.
            case .secret: if !principal.has(.admin) { members.removeValue(forKey: field.name) }
            default: break
            }
        }
        if document.kind == .module { addModuleFields(document, to: &members) }
        return .object(members)
    }

    /// PlaceOS's integer version of a file: the number of commits that changed it, counted
    /// from 0 for a file written once (docs/rest-api.md).
    static func version(of entry: FileTimeline.Entry?) -> Int { max((entry?.changes ?? 1) - 1, 0) }

    /// The settings levels as `principal` may see them.
    func settings(_ value: JSONValue, objectID: String) -> JSONValue {
        let parsed = Settings.parse(value).settings
        var shown = (box.flatMap { try? parsed.opened(objectID: objectID, box: $0, upTo: principal.role) }) ?? parsed
        shown.levels[.neverDisplay] = nil
        for level in SettingsLevel.allCases where level.isEncrypted && !principal.mayRead(level) {
            // Values that are not envelopes (a file that fails validation) are never shown.
            shown.levels[level] = shown.levels[level]?.filter { SecretBox.isEnvelope($0.value) }
        }
        return shown.json
    }

    private func addModuleFields(_ document: ConfigDocument, to members: inout [String: JSONValue]) {
        let driver = snapshot.driver(ofModule: document)
        if let driver {
            members["name"] = .string(driver.moduleName)
            if let role = driver.role { members["role"] = .int(role.rawValue) }
            var summary: [String: JSONValue] = ["id": .string(driver.id), "name": .string(driver.name),
                                                "module_name": .string(driver.moduleName)]
            if let role = driver.role { summary["role"] = .int(role.rawValue) }
            if let description = driver.document.string("description") { summary["description"] = .string(description) }
            members["driver"] = .object(summary)
        }
        let logic = driver?.role == .logic
        members["connected"] = .bool(logic || (engine?.isOnline(document.id) ?? false))
        // Why a module is not online, and since when (new member: `{state, reason, since}`).
        if let engine, engine.hasModule(document.id) {
            members["condition"] = .object(engine.condition(of: document.id).json.mapValues(JSONValue.string))
        }
        if let systemID = ModuleView(document).controlSystemID ?? snapshot.systems(usingModule: document.id).first,
           let system = snapshot.document(.system, systemID) {
            members["control_system"] = .object(["id": .string(system.id), "name": .string(system.displayName),
                                                 "zones": .array(SystemView(system).zoneIDs.map(JSONValue.string))])
        }
    }
}
