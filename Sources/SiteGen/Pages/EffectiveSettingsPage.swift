import ConfigRepo

/// A module's effective settings: every layer merged (global › driver › zones › system ›
/// module, `SettingsMerge`) over the levels the reader may read, each key with the layer and
/// level it comes from. Rendered per request: what it shows depends on the reader's role.
public struct EffectiveSettingsPage: Sendable {
    public let snapshot: Snapshot

    public init(snapshot: Snapshot) { self.snapshot = snapshot }

    /// The page's values; `error` says why the merge could not be shown.
    public func values(module: ConfigDocument, box: SecretBox?, role: Role) -> [String: TemplateValue] {
        var values: [String: TemplateValue] = [
            "name": .string(ObjectLabels.name(module, in: snapshot)), "id": .string(module.id),
            "listURL": .string(SiteURL.list(.module)), "detailURL": .string(SiteURL.detail(module.ref)),
            "deploymentURL": .string(SiteURL.deployment),
        ]
        let layers = snapshot.settingsLayers(forModule: module.id)
        values["layers"] = .list(layers.map { link(to: $0.source) })
        guard let box else {
            values["error"] = "The deployment secret is not available, so encrypted settings cannot be opened."
            return values
        }
        let merged: [String: MergedSetting]
        do { merged = try SettingsMerge.view(layers, box: box, role: role) } catch {
            values["error"] = .string("The settings cannot be opened: \(error)")
            return values
        }
        values["settings"] = .list(merged.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.map { key in
            let setting = merged[key]!
            var row: [String: TemplateValue] = [
                "key": .string(key), "value": .string(JSONWriter.compactString(setting.value)),
                "level": .string(setting.origin.level.key), "source": link(to: setting.origin.source),
            ]
            if let hidden = setting.hiddenOverride { row["hiddenOverride"] = .string("\(hidden.source.kind.rawValue), a level you cannot read") }
            return .object(row)
        })
        values["empty"] = .bool(merged.isEmpty)
        return values
    }

    /// A link to the object a layer comes from (the deployment page for global settings).
    func link(to source: SettingsSource) -> TemplateValue {
        let kind: Kind? = switch source.kind {
        case .global: nil
        case .driver: .driver
        case .zone: .zone
        case .system: .system
        case .module: .module
        }
        guard let kind else { return ["text": "global (backoffice.json)", "href": .string(SiteURL.deployment), "kind": "global"] }
        let ref = ObjectRef(kind, source.id)
        let name = snapshot.document(ref).map { ObjectLabels.name($0, in: snapshot) } ?? source.id
        return ["text": .string("\(kind.noun) \(name)"), "href": .string(SiteURL.detail(ref)), "kind": .string(source.kind.rawValue)]
    }
}
