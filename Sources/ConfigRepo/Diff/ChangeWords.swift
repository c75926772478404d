/// The words for field changes, shared by `backoffice diff`, the branches page and history:
/// `capacity 8 → 12`, `notes (none) → "Projector replaced"`, `client_secret changed`,
/// `admin settings changed`. Values of secret fields and encrypted settings levels never
/// appear, nor do the keys of encrypted levels (as in ``CommitMessage``).
public enum ChangeWords {
    /// The field changes from `old` to `new` of an object of `kind` (nil: `backoffice.json`).
    public static func fields(of kind: Kind?, old: JSONValue?, new: JSONValue?) -> [FieldWording] {
        fields(of: kind, changes: FieldDiff.between(old, new))
    }

    /// The same words for field changes already computed (``FieldDiff/between(_:_:)``), as a
    /// history page has them.
    public static func fields(of kind: Kind?, changes: [FieldChange]) -> [FieldWording] {
        let changes = changes.flatMap(expandingSettings)
        let secretFields = kind.map(FieldVisibility.secretFieldNames) ?? []
        var words: [FieldWording] = []
        var secretLevels: Set<SettingsLevel> = []
        for change in changes {
            let head = String(change.path.prefix { $0 != "." })
            if let level = CommitMessage.encryptedLevel(of: change.path) {
                // One line per level, however many of its keys changed.
                if secretLevels.insert(level).inserted {
                    words.append(FieldWording(path: "\(level.key) settings", text: "\(level.key) settings changed",
                                              isSecret: true, old: nil, new: nil))
                }
            } else if secretFields.contains(head) || CommitMessage.containsEnvelope(change.old ?? .null)
                        || CommitMessage.containsEnvelope(change.new ?? .null) {
                words.append(FieldWording(path: change.path, text: "\(change.path) \(secretVerb(change))",
                                          isSecret: true, old: nil, new: nil))
            } else if let redacted = redactingWebhookSecrets(change, kind: kind) {
                words.append(redacted)
            } else if let list = listChange(change) {
                words.append(FieldWording(path: change.path, text: "\(change.path): \(list)", isSecret: false,
                                          old: change.old, new: change.new))
            } else {
                words.append(FieldWording(path: change.path, text: "\(change.path) \(value(change.old)) → \(value(change.new))",
                                          isSecret: false, old: change.old, new: change.new))
            }
        }
        return words
    }

    /// A list of scalars or of objects with ids, as members added and removed
    /// (`+ "whiteboard", - "projector"`, `+ trig-l2-ferry-release`), or `reordered` when only
    /// the order changed; nil for other values.
    static func listChange(_ change: FieldChange) -> String? {
        guard change.old?.arrayValue != nil || change.new?.arrayValue != nil,
              let old = keys(change.old?.arrayValue ?? []), let new = keys(change.new?.arrayValue ?? []) else { return nil }
        let oldSet = Set(old), newSet = Set(new)
        var parts = new.filter { !oldSet.contains($0) }.map { "+ " + $0 } + old.filter { !newSet.contains($0) }.map { "- " + $0 }
        if let oldItems = change.old?.arrayValue, let newItems = change.new?.arrayValue, oldItems.first?.objectValue != nil {
            // Objects with ids: also name the ones edited in place.
            let before = Dictionary(zip(old, oldItems), uniquingKeysWith: { first, _ in first })
            for (key, item) in zip(new, newItems) where before[key].map({ $0 != item }) ?? false { parts.append(key + " edited") }
        }
        if parts.isEmpty, old != new { return "reordered " + new.joined(separator: ", ") }
        return parts.isEmpty ? nil : parts.joined(separator: ", ")
    }

    /// What names each member of a list: a scalar's JSON, an object's `id`; nil when a member
    /// has neither, or when two members have the same name.
    private static func keys(_ items: [JSONValue]) -> [String]? {
        var keys: [String] = []
        for item in items {
            switch item {
            case .object(let members):
                guard let id = members["id"]?.stringValue else { return nil }
                keys.append(id)
            case .array: return nil
            default: keys.append(JSONWriter.compactString(item))
            }
        }
        return Set(keys).count == keys.count ? keys : nil
    }

    /// A name in double quotes, as JSON writes a string.
    public static func quoted(_ name: String) -> String {
        JSONWriter.compactString(.string(name))
    }

    /// A value for a line of words: compact JSON, shortened past 60 characters.
    static func value(_ value: JSONValue?) -> String {
        guard let value else { return "(none)" }
        let text = JSONWriter.compactString(value)
        return text.count <= 60 ? text : String(text.prefix(57)) + "…"
    }

    private static func secretVerb(_ change: FieldChange) -> String {
        change.old == nil ? "set" : change.new == nil ? "removed" : "changed"
    }

    /// `settings` or `settings.<level>` added or removed whole is split into its levels and
    /// keys, so an encrypted level is named as a level and never spelled out.
    private static func expandingSettings(_ change: FieldChange) -> [FieldChange] {
        let parts = change.path.split(separator: ".")
        guard parts.first == "settings", parts.count < 3,
              change.old?.objectValue != nil || change.new?.objectValue != nil,
              change.old == nil || change.old?.objectValue != nil, change.new == nil || change.new?.objectValue != nil
        else { return [change] }
        return FieldDiff.between(.object(change.old?.objectValue ?? [:]), .object(change.new?.objectValue ?? [:]))
            .map { FieldChange(path: change.path + "." + $0.path, old: $0.old, new: $0.new) }
            .flatMap(expandingSettings)
    }

    /// A system's trigger instances with their webhook secrets hidden; nil when `change` is
    /// not about them.
    private static func redactingWebhookSecrets(_ change: FieldChange, kind: Kind?) -> FieldWording? {
        guard let kind, change.path == "triggers" || change.path.hasPrefix("triggers."),
              kind.fields.contains(where: { $0.type == .triggerInstances }) else { return nil }
        let visible = FieldVisibility.visible([change], of: kind, to: .admin).first ?? change
        if visible.old == visible.new {
            return FieldWording(path: change.path, text: "\(change.path): webhook_secret changed", isSecret: true, old: nil, new: nil)
        }
        let text = listChange(visible).map { "\(change.path): \($0)" }
            ?? "\(change.path) \(value(visible.old)) → \(value(visible.new))"
        return FieldWording(path: change.path, text: text, isSecret: visible != change, old: visible.old, new: visible.new)
    }
}
