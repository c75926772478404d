import ConfigRepo
import Foundation

/// Field changes as the history, conflict and diff tables show them: only what the reader's
/// role may see, in one line each, encrypted values never as ciphertext.
public enum ChangeValues {
    /// The rows of a change table of an object of `kind` (nil: the deployment file) for `role`.
    public static func rows(_ changes: [FieldChange], kind: Kind?, role: Role) -> TemplateValue {
        .list(visible(changes, kind: kind, to: role).map { change in
            ["path": .string(change.path), "old": .string(show(change.old)), "new": .string(show(change.new))]
        })
    }

    /// The rows of a history entry: each changed field in the words of `backoffice diff`
    /// (``ChangeWords``: `capacity` · `8 → 12`, `admin settings` · `changed`), which never
    /// show a secret or a key of an encrypted settings level to any reader.
    public static func wordRows(_ changes: [FieldChange], kind: Kind?) -> TemplateValue {
        .list(ChangeWords.fields(of: kind, changes: changes).map { wording in
            ["path": .string(wording.path), "words": .string(words(wording))]
        })
    }

    /// What a wording says after its path (`8 → 12`, `changed`, `+ trig-l2-ferry-release`).
    static func words(_ wording: FieldWording) -> String {
        guard wording.text.hasPrefix(wording.path) else { return wording.text }
        var rest = wording.text.dropFirst(wording.path.count)
        if rest.hasPrefix(":") { rest = rest.dropFirst() }
        return String(rest.drop { $0 == " " })
    }

    /// The changes as `role` may see them (``FieldVisibility``: settings levels above the role
    /// left out, keys too; secret fields hidden for every reader).
    public static func visible(_ changes: [FieldChange], kind: Kind?, to role: Role) -> [FieldChange] {
        FieldVisibility.visible(changes, of: kind, to: role)
    }

    /// A commit subject as `role` may read it (no settings key above the role).
    public static func subject(_ commit: CommitInfo, role: Role) -> TemplateValue {
        .string(CommitMessage.visibleSubject(commit.subject, to: role))
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
    public static func otherCommit(_ commit: CommitInfo, role: Role) -> TemplateValue {
        ["message": subject(commit, role: role), "author": .string(commit.author.name), "id": .string(commit.id.short)]
    }
}
