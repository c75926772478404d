import ConfigRepo

/// PlaceOS's `Settings` objects as a view over our per-object levels (placeos-api §2–§3): each
/// level an object carries is one record `{id, parent_id, parent_type, encryption_level,
/// settings_string, keys}`, with the reader's view of its values (decrypted up to their role,
/// ciphertext above). `never_display` has no record: it never leaves the server.
///
/// A record's id names its object and level, `sets-<object id>~<level>`, so it is stable and
/// needs no file of its own.
struct SettingsView {
    let format: WireFormat

    static let levelNumbers: [SettingsLevel: Int] = [.none: 0, .support: 1, .admin: 2, .neverDisplay: 3]

    /// PlaceOS's `parent_type` of a kind that carries settings.
    static func parentType(_ kind: Kind) -> String? {
        switch kind {
        case .system: "control_system"
        case .zone: "zone"
        case .driver: "driver"
        case .module: "module"
        default: nil
        }
    }

    /// The record id of `level` of the object `id`.
    static func recordID(_ id: String, _ level: SettingsLevel) -> String { "sets-\(id)~\(level.key)" }

    /// The object and level a record id names.
    static func parse(_ recordID: String) -> (objectID: String, level: SettingsLevel)? {
        guard recordID.hasPrefix("sets-"), let tilde = recordID.lastIndex(of: "~"),
              let level = SettingsLevel(key: String(recordID[recordID.index(after: tilde)...])) else { return nil }
        return (String(recordID.dropFirst(5)[..<tilde]), level)
    }

    /// The records of one object, lowest level first.
    func records(of document: ConfigDocument) -> [JSONValue] {
        guard let parentType = Self.parentType(document.kind), let stored = document["settings"] else { return [] }
        let shown = format.settings(stored, objectID: document.id).objectValue ?? [:]
        let entry = format.timeline.entry(document.path)
        return SettingsLevel.allCases.compactMap { level -> JSONValue? in
            guard level != .neverDisplay, let values = shown[level.key]?.objectValue else { return nil }
            return .object([
                "id": .string(Self.recordID(document.id, level)), "parent_id": .string(document.id),
                "parent_type": .string(parentType), "encryption_level": .int(Self.levelNumbers[level]!),
                "settings_string": .string(JSONWriter.canonicalString(.object(values))),
                "keys": .array(JSONWriter.sortedKeys(values).map(JSONValue.string)),
                "created_at": .int(entry?.created ?? 0), "updated_at": .int(entry?.updated ?? 0),
                "version": .int(WireFormat.version(of: entry)),
            ])
        }
    }

    /// The record of a level the object does not carry (any more): what a write that emptied
    /// it answers.
    func emptyRecord(of document: ConfigDocument, _ level: SettingsLevel) -> JSONValue {
        let entry = format.timeline.entry(document.path)
        return .object([
            "id": .string(Self.recordID(document.id, level)), "parent_id": .string(document.id),
            "parent_type": .string(Self.parentType(document.kind) ?? ""), "encryption_level": .int(Self.levelNumbers[level]!),
            "settings_string": "{}", "keys": .array([]),
            "created_at": .int(entry?.created ?? 0), "updated_at": .int(entry?.updated ?? 0), "version": .int(WireFormat.version(of: entry)),
        ])
    }

    /// Every record of the objects that carry settings (`GET settings`), by object kind and id.
    func all() -> [JSONValue] {
        [Kind.driver, .zone, .system, .module].flatMap { kind in format.snapshot.all(kind).flatMap(records) }
    }

    /// `GET systems/:id/settings`: the system's zones in its order, then the system, lowest
    /// precedence first as PlaceOS lists them.
    func chain(ofSystem system: ConfigDocument) -> [JSONValue] {
        let zones = SystemView(system).zoneIDs.compactMap { format.snapshot.document(.zone, $0) }
        return (zones + [system]).flatMap(records)
    }

    /// `GET modules/:id/settings`: the layers its settings merge from, lowest precedence first
    /// (the driver; for a logic module its system's zones and the system; the module).
    func chain(ofModule module: ConfigDocument) -> [JSONValue] {
        format.snapshot.settingsLayers(forModule: module.id).compactMap { layer -> ConfigDocument? in
            switch layer.source.kind {
            case .global: nil
            case .driver: format.snapshot.document(.driver, layer.source.id)
            case .zone: format.snapshot.document(.zone, layer.source.id)
            case .system: format.snapshot.document(.system, layer.source.id)
            case .module: format.snapshot.document(.module, layer.source.id)
            }
        }.flatMap(records)
    }
}
