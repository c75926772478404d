/// The effective settings of a module (DESIGN §3.3, PlaceOS `merge_settings`).
///
/// Layers are given lowest precedence first. Within a layer, a higher level overrides a
/// lower one (`none` < `support` < `admin` < `never_display`); across layers a later layer
/// overrides an earlier one, whatever the levels. The merge is shallow: a top-level key is
/// replaced as a whole, objects under it are not merged.
public enum SettingsMerge {
    /// One object's settings with its id, as given to ``layers(global:driver:zones:system:module:isLogic:)``.
    public typealias Owned = (id: String, settings: Settings)

    /// The layers for a module, lowest precedence first: global, driver, the system's zones
    /// in the system's order (so the last zone wins), system, module. Zones and system
    /// count only for logic modules, as in PlaceOS. Absent objects are skipped.
    public static func layers(global: Settings?, driver: Owned?, zones: [Owned], system: Owned?,
                              module: Owned?, isLogic: Bool) -> [SettingsLayer] {
        var result: [SettingsLayer] = []
        if let global { result.append(SettingsLayer(source: .global, settings: global)) }
        if let driver { result.append(SettingsLayer(source: SettingsSource(kind: .driver, id: driver.id), settings: driver.settings)) }
        if isLogic {
            for zone in zones {
                result.append(SettingsLayer(source: SettingsSource(kind: .zone, id: zone.id), settings: zone.settings))
            }
            if let system { result.append(SettingsLayer(source: SettingsSource(kind: .system, id: system.id), settings: system.settings)) }
        }
        if let module { result.append(SettingsLayer(source: SettingsSource(kind: .module, id: module.id), settings: module.settings)) }
        return result
    }

    /// What the driver gets: every level merged (`never_display` included), decrypted.
    public static func effective(_ layers: [SettingsLayer], box: SecretBox) throws(SettingsOpenError) -> [String: JSONValue] {
        try effectiveWithOrigins(layers, box: box).mapValues(\.value)
    }

    /// ``effective(_:box:)`` with, for each key, the layer and level that supplied it.
    public static func effectiveWithOrigins(_ layers: [SettingsLayer],
                                            box: SecretBox) throws(SettingsOpenError) -> [String: MergedSetting] {
        var merged: [String: MergedSetting] = [:]
        for (origin, key, value) in winners(layers) {
            let plain = try Settings.open(value, objectID: origin.source.id, level: origin.level, key: key, box: box)
            merged[key] = MergedSetting(value: plain, origin: origin)
        }
        return merged
    }

    /// The merged view a reader with `role` may see: the same merge over only the levels
    /// `role` may read (never `never_display`), decrypted. Keys that exist only at
    /// unreadable levels are absent; a key whose winning value is at an unreadable level
    /// shows the best readable value with ``MergedSetting/hiddenOverride`` set.
    public static func view(_ layers: [SettingsLayer], box: SecretBox,
                            role: Role) throws(SettingsOpenError) -> [String: MergedSetting] {
        var visible: [String: (origin: SettingsOrigin, value: JSONValue)] = [:]
        var overall: [String: SettingsOrigin] = [:]
        for (origin, key, value) in contributions(layers) {
            overall[key] = origin
            if origin.level.isReadable(by: role) { visible[key] = (origin, value) }
        }
        var merged: [String: MergedSetting] = [:]
        for (key, entry) in visible {
            let plain = try Settings.open(entry.value, objectID: entry.origin.source.id, level: entry.origin.level,
                                          key: key, box: box)
            let winner = overall[key]!
            merged[key] = MergedSetting(value: plain, origin: entry.origin,
                                        hiddenOverride: winner == entry.origin ? nil : winner)
        }
        return merged
    }

    /// Every (origin, key, raw value) in precedence order, lowest first.
    static func contributions(_ layers: [SettingsLayer]) -> [(SettingsOrigin, String, JSONValue)] {
        var out: [(SettingsOrigin, String, JSONValue)] = []
        for layer in layers {
            for level in SettingsLevel.allCases {
                guard let values = layer.settings.levels[level] else { continue }
                let origin = SettingsOrigin(source: layer.source, level: level)
                for key in JSONWriter.sortedKeys(values) { out.append((origin, key, values[key]!)) }
            }
        }
        return out
    }

    /// The winning (origin, key, raw value) per key.
    static func winners(_ layers: [SettingsLayer]) -> [(SettingsOrigin, String, JSONValue)] {
        var best: [String: (SettingsOrigin, JSONValue)] = [:]
        for (origin, key, value) in contributions(layers) { best[key] = (origin, value) }
        return best.map { ($0.value.0, $0.key, $0.value.1) }
    }
}
