import ConfigRepo

/// Turns a declared field's value into what a detail page shows (links, chips, JSON, …).
struct FieldPresenter {
    let snapshot: Snapshot

    /// Every key the `field-value` partial reads: a row sets them all, so a name a row lacks is
    /// never taken from the page around it (Mustache looks names up the context stack).
    static let valueKeys = ["text", "flag", "yes", "url", "secret", "chips", "ordered", "links", "json", "settings"]

    /// The row for a field, or nil when the object does not set it.
    func row(_ field: FieldSpec, of document: ConfigDocument) -> TemplateValue? {
        guard let value = document[field.name], !value.isNull else { return nil }
        var row: [String: TemplateValue] = Dictionary(uniqueKeysWithValues: Self.valueKeys.map { ($0, TemplateValue.null) })
        row["label"] = .string(SiteKinds.label(field.name))
        row["name"] = .string(field.name)
        let type: FieldType = field.type == .string && field.name.hasSuffix("_url") ? .url : field.type
        row.merge(present(value, as: type), uniquingKeysWith: { _, new in new })
        return .object(row)
    }

    func present(_ value: JSONValue, as type: FieldType) -> [String: TemplateValue] {
        switch type {
        case .bool:
            return ["flag": .bool(true), "yes": .bool(value.boolValue == true)]
        case .reference(let kind):
            guard let id = value.stringValue else { return json(value) }
            return ["links": [ObjectLabels.link(ObjectRef(kind, id), in: snapshot)]]
        case .references(let kind):
            let ids = value.arrayValue?.compactMap(\.stringValue) ?? []
            return ["links": .list(ids.map { ObjectLabels.link(ObjectRef(kind, $0), in: snapshot) }), "ordered": true]
        case .stringList:
            return ["chips": .list((value.arrayValue ?? []).map { .string($0.stringValue ?? JSONWriter.compactString($0)) })]
        case .url:
            guard let text = value.stringValue else { return json(value) }
            return ["url": .string(text)]
        case .secret:
            return ["secret": true]
        case .intCase(let names):
            guard let number = value.intValue else { return json(value) }
            return ["text": .string(names[number].map { "\($0) (\(number))" } ?? String(number))]
        case .nullable(let wrapped):
            return present(value, as: wrapped)
        case .settings:
            return ["settings": SettingsPresenter.levels(value)]
        case .object, .json, .triggerInstances:
            return json(value)
        case .string, .int, .number, .oneOf:
            if let text = value.stringValue { return ["text": .string(text)] }
            if case .number(let text) = value { return ["text": .string(text)] }
            return json(value)
        }
    }

    private func json(_ value: JSONValue) -> [String: TemplateValue] {
        ["json": .string(JSONWriter.canonicalString(value))]
    }
}

/// Settings are never written into a pre-rendered page: who may read which level depends on
/// the reader. The page gets `marker` where the block goes; the server renders the block per
/// request for the reader's role (`levels(_:objectID:box:role:)`) and puts it in place.
public enum SettingsPresenter {
    /// What a pre-rendered page holds where its settings go.
    public static let marker = TrustedHTML(trusted: "<!--settings-->")

    /// The marker when the object has any setting, else nil (the page says "No settings").
    static func levels(_ value: JSONValue) -> TemplateValue {
        let (settings, _) = Settings.parse(value)
        let any = SettingsLevel.allCases.contains { !settings[$0].isEmpty }
        return any ? ["perRequest": .html(marker), "levels": .null] : .null
    }

    /// The levels `role` may read, decrypted when `box` can open them; levels above the role are
    /// left out entirely (not even their keys); `never_display` shows only its keys, to admins.
    public static func levels(_ value: JSONValue, objectID: String, box: SecretBox?, role: Role) -> TemplateValue {
        let (parsed, _) = Settings.parse(value)
        let settings = box.flatMap { try? parsed.opened(objectID: objectID, box: $0, upTo: role) } ?? parsed
        var levels: [TemplateValue] = []
        for level in SettingsLevel.allCases {
            let members = settings[level]
            guard !members.isEmpty else { continue }
            if level.isReadable(by: role) {
                let opened = members.values.allSatisfy { !($0.stringValue.map(SecretBox.isEnvelope) ?? false) }
                if opened {
                    levels.append(["level": .string(level.key), "json": .string(JSONWriter.canonicalString(.object(members))), "keys": .null])
                } else {
                    levels.append(["level": .string(level.key), "keys": .list(JSONWriter.sortedKeys(members).map { .string($0) }), "json": .null])
                }
            } else if level == .neverDisplay, role >= .admin {
                levels.append(["level": .string(level.key), "keys": .list(JSONWriter.sortedKeys(members).map { .string($0) }), "json": .null])
            }
        }
        return ["levels": .list(levels), "perRequest": .null, "empty": .bool(levels.isEmpty)]
    }
}
