/// Commit messages in words (DESIGN §3.4): `systems: capacity of "Boardroom" 10 → 12`.
///
/// The subject says what changed for one object, or counts when several changed; the
/// body lists every object touched so `git log` reads like an audit trail.
public enum CommitMessage {
    /// One object's change: its kind, display name, and the document before and after.
    public struct Entry: Sendable {
        public var ref: ObjectRef
        public var old: ConfigDocument?
        public var new: ConfigDocument?

        public init(ref: ObjectRef, old: ConfigDocument?, new: ConfigDocument?) {
            self.ref = ref
            self.old = old
            self.new = new
        }

        var name: String { (new ?? old)?.displayName ?? ref.id }
    }

    /// The message for a set of changes, or nil when nothing changed. `primary` names the
    /// objects the user acted on; the subject speaks of them, cascades go in the body.
    public static func describe(_ entries: [Entry], primary: Set<ObjectRef> = []) -> String? {
        let entries = entries.filter { $0.old != $0.new }.sorted { $0.ref < $1.ref }
        guard let first = entries.first else { return nil }
        if entries.count == 1 { return line(for: first) }
        let subject: String
        let deletions = entries.filter { $0.new == nil }
        let deleted = deletions.first { primary.contains($0.ref) } ?? deletions.first
        if let deleted, primary.count <= 1, entries.allSatisfy({ $0.new == nil || $0.old != nil }) {
            let others = entries.count - 1
            subject = "\(deleted.ref.kind.directory): delete \"\(deleted.name)\" and \(others) dependent change\(others == 1 ? "" : "s")"
        } else {
            let kinds = Dictionary(grouping: entries, by: { $0.ref.kind })
            let parts = kinds.keys.sorted().map { kind in "\(kinds[kind]!.count) \(kind.directory)" }
            subject = "change \(parts.joined(separator: ", "))"
        }
        return subject + "\n\n" + entries.map { "- " + line(for: $0) }.joined(separator: "\n")
    }

    /// One line for one object's change.
    public static func line(for entry: Entry) -> String {
        let kind = entry.ref.kind.directory
        switch (entry.old, entry.new) {
        case (nil, _?): return "\(kind): create \"\(entry.name)\""
        case (_?, nil): return "\(kind): delete \"\(entry.name)\""
        default:
            let changes = FieldDiff.between(entry.old.map { .object($0.members) }, entry.new.map { .object($0.members) })
            if changes.count == 1, let change = changes.first {
                return "\(kind): \(change.path) of \"\(entry.name)\" \(short(change.old)) → \(short(change.new))"
            }
            let fields = changes.map(\.path).prefix(4).joined(separator: ", ")
            let more = changes.count > 4 ? " and \(changes.count - 4) more" : ""
            return "\(kind): edit \"\(entry.name)\" (\(fields)\(more))"
        }
    }

    /// The line for a change of `backoffice.json`: `Deployment: title "A" → "B",
    /// settings.none.timezone changed`. Title and branch show both values; settings and
    /// anything else only say what was added, removed or changed (a setting may be secret).
    public static func deploymentLine(old: DeploymentFile?, new: DeploymentFile?) -> String {
        let changes = FieldDiff.between(.object(old?.members ?? [:]), .object(new?.members ?? [:]))
        guard !changes.isEmpty else { return "Deployment: no change" }
        let parts = changes.prefix(6).map { change -> String in
            if ["title", "branch"].contains(change.path) { return "\(change.path) \(short(change.old)) → \(short(change.new))" }
            let what = change.old == nil ? "added" : change.new == nil ? "removed" : "changed"
            return "\(change.path) \(what)"
        }
        let more = changes.count > 6 ? " and \(changes.count - 6) more" : ""
        return "Deployment: " + parts.joined(separator: ", ") + more
    }

    /// Whether an encrypted value is anywhere inside (a whole `settings` object, say): such a
    /// value is never spelled out, not even as ciphertext.
    static func containsEnvelope(_ value: JSONValue) -> Bool {
        switch value {
        case .string(let text): SecretBox.isEnvelope(text)
        case .array(let items): items.contains(where: containsEnvelope)
        case .object(let members): members.values.contains(where: containsEnvelope)
        default: false
        }
    }

    /// A value short enough for a subject line; secrets are never spelled out.
    static func short(_ value: JSONValue?) -> String {
        guard let value else { return "(none)" }
        if containsEnvelope(value) { return "(encrypted)" }
        let text = JSONWriter.compactString(value)
        return text.count <= 40 ? text : String(text.prefix(37)) + "…"
    }
}
