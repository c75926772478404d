/// What of a field diff a reader may see (history, conflict and diff pages; later the REST
/// API). Secrets are hidden by *field*, never by whether the value happens to be sealed: an
/// intermediate commit may hold a plain value that `backoffice secret seal` encrypted later.
///
/// - settings levels above the reader's role are left out, keys included (`never_display`
///   for everyone); a whole `settings` object keeps only the readable levels;
/// - fields of type `secret` in the kind's field table (an application's `secret`, an SSO
///   strategy's `client_secret`, a repository's `password`) show ``hidden`` to every role;
/// - a system's trigger instances show ``hidden`` in place of each `webhook_secret`.
public enum FieldVisibility {
    /// What a hidden value is shown as.
    public static let hidden: JSONValue = "(secret)"

    /// The changes of an object of `kind` (nil: `backoffice.json`) as `role` may see them.
    public static func visible(_ changes: [FieldChange], of kind: Kind?, to role: Role) -> [FieldChange] {
        let secretFields = kind.map(secretFieldNames) ?? []
        let hasTriggerInstances = kind?.fields.contains { $0.type == .triggerInstances } ?? false
        return changes.compactMap { change in
            let head = String(change.path.prefix { $0 != "." })
            if head == "settings" { return visibleSettings(change, role) }
            if secretFields.contains(head) {
                var hiddenChange = change
                hiddenChange.old = change.old.map { _ in hidden }
                hiddenChange.new = change.new.map { _ in hidden }
                return hiddenChange
            }
            if hasTriggerInstances, head == "triggers" {
                var redacted = change
                redacted.old = change.old.map(hidingWebhookSecrets)
                redacted.new = change.new.map(hidingWebhookSecrets)
                return redacted
            }
            return change
        }
    }

    /// The top-level fields of `kind` that hold secrets (type `secret`, or a nullable one).
    public static func secretFieldNames(_ kind: Kind) -> Set<String> {
        Set(kind.fields.filter { $0.type == .secret || $0.type == .nullable(.secret) }.map(\.name))
    }

    private static func visibleSettings(_ change: FieldChange, _ role: Role) -> FieldChange? {
        let parts = change.path.split(separator: ".", maxSplits: 2)
        guard parts.count >= 2 else {
            var redacted = change
            redacted.old = change.old.map { readableLevels($0, role) }
            redacted.new = change.new.map { readableLevels($0, role) }
            return redacted.old == redacted.new ? nil : redacted
        }
        // An unknown level is not a level anyone reads (validation refuses it).
        guard let level = SettingsLevel(rawValue: String(parts[1])), level.isReadable(by: role) else { return nil }
        return change
    }

    private static func readableLevels(_ settings: JSONValue, _ role: Role) -> JSONValue {
        guard case .object(let levels) = settings else { return settings }
        return .object(levels.filter { key, _ in SettingsLevel(rawValue: key)?.isReadable(by: role) ?? false })
    }

    private static func hidingWebhookSecrets(_ instances: JSONValue) -> JSONValue {
        guard case .array(let items) = instances else { return instances }
        return .array(items.map { item in
            guard case .object(var members) = item, members["webhook_secret"] != nil else { return item }
            members["webhook_secret"] = hidden
            return .object(members)
        })
    }
}
