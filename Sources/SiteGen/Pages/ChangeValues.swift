import ConfigRepo
import Foundation

/// Field changes as the history, conflict and diff tables show them: only what the reader's
/// role may see, in one line each, encrypted values never as ciphertext.
public enum ChangeValues {
    /// The rows of a change table for `role`.
    public static func rows(_ changes: [FieldChange], role: Role) -> TemplateValue {
        .list(visible(changes, to: role).map { change in
            ["path": .string(change.path), "old": .string(show(change.old)), "new": .string(show(change.new))]
        })
    }

    /// The changes as `role` may see them: settings levels above the role are left out (their
    /// keys too), and a whole `settings` object keeps only the readable levels.
    public static func visible(_ changes: [FieldChange], to role: Role) -> [FieldChange] {
        changes.compactMap { change in
            let parts = change.path.split(separator: ".", maxSplits: 2)
            guard parts.first == "settings" else { return change }
            guard parts.count >= 2 else {
                var redacted = change
                redacted.old = change.old.map { readableLevels($0, role) }
                redacted.new = change.new.map { readableLevels($0, role) }
                return redacted.old == redacted.new ? nil : redacted
            }
            guard let level = SettingsLevel(rawValue: String(parts[1])) else { return change }
            return level.isReadable(by: role) ? change : nil
        }
    }

    private static func readableLevels(_ settings: JSONValue, _ role: Role) -> JSONValue {
        guard case .object(let levels) = settings else { return settings }
        return .object(levels.filter { key, _ in SettingsLevel(rawValue: key)?.isReadable(by: role) ?? true })
    }

    /// A value in one line; encrypted values are not worth showing as ciphertext.
    static func show(_ value: JSONValue?) -> String {
        guard let value else { return "—" }
        if let text = value.stringValue, SecretBox.isEnvelope(text) { return "(encrypted)" }
        if let text = value.stringValue { return text }
        return JSONWriter.compactString(redactingEnvelopes(value))
    }

    /// The value with every encrypted string inside (a whole settings level, say) shown as "(encrypted)".
    static func redactingEnvelopes(_ value: JSONValue) -> JSONValue {
        switch value {
        case .string(let text) where SecretBox.isEnvelope(text): .string("(encrypted)")
        case .array(let items): .array(items.map(redactingEnvelopes))
        case .object(let members): .object(members.mapValues(redactingEnvelopes))
        default: value
        }
    }

    /// A commit's time as the site shows it (`2026-11-21 16:32 UTC`).
    public static func format(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm 'UTC'"
        return formatter.string(from: date)
    }

    /// The "changed meanwhile by …" line of a conflict page.
    public static func otherCommit(_ commit: CommitInfo) -> TemplateValue {
        ["message": .string(commit.subject), "author": .string(commit.author.name), "id": .string(commit.id.short)]
    }
}
