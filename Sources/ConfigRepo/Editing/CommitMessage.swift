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

        var name: String {
            guard let document = new ?? old else { return ref.id }
            if ref.kind == .module, let custom = document.string("custom_name"), !custom.isEmpty { return custom }
            return document.displayName
        }
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
        } else if let added = addedAndListed(entries) {
            subject = added
        } else {
            let kinds = Dictionary(grouping: entries, by: { $0.ref.kind })
            let parts = kinds.keys.sorted().map { kind in counted(kinds[kind]!.count, kind) }
            subject = "change \(parts.joined(separator: ", "))"
        }
        return subject + "\n\n" + entries.map { "- " + line(for: $0) }.joined(separator: "\n")
    }

    /// `1 system`, `3 modules`.
    static func counted(_ count: Int, _ kind: Kind) -> String {
        "\(count) \(count == 1 ? kind.noun : kind.directory)"
    }

    /// `add module "Display" to "L1 Café"`: one object created and listed by the others, whose
    /// only change is that list (a module added from a system's page, a zone with its systems).
    static func addedAndListed(_ entries: [Entry]) -> String? {
        let created = entries.filter { $0.old == nil && $0.new != nil }
        guard created.count == 1, let object = created.first else { return nil }
        let others = entries.filter { $0.ref != object.ref }
        guard !others.isEmpty, others.allSatisfy({ entry in
            guard let old = entry.old, let new = entry.new else { return false }
            let changes = FieldDiff.between(.object(old.members), .object(new.members))
            return !changes.isEmpty && changes.allSatisfy { change in
                let field = String(change.path.prefix { $0 != "." && $0 != "[" })
                return new.strings(field).contains(object.ref.id) && !old.strings(field).contains(object.ref.id)
            }
        }) else { return nil }
        let targets = others.map { "\"\($0.name)\"" }
        let list = targets.count <= 2 ? targets.joined(separator: " and ") : targets.prefix(2).joined(separator: ", ") + " and \(targets.count - 2) more"
        return "add \(object.ref.kind.noun) \"\(object.name)\" to \(list)"
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
                if let level = encryptedLevel(of: change.path) {
                    return "\(kind): \(level.key) settings of \"\(entry.name)\" changed"
                }
                return "\(kind): \(change.path) of \"\(entry.name)\" \(short(change.old)) → \(short(change.new))"
            }
            let names = uniqued(changes.map { spoken($0.path) })
            let fields = names.prefix(4).joined(separator: ", ")
            let more = names.count > 4 ? " and \(names.count - 4) more" : ""
            return "\(kind): edit \"\(entry.name)\" (\(fields)\(more))"
        }
    }

    /// The encrypted settings level a field path is in (`settings.admin.alarm_code` → admin).
    static func encryptedLevel(of path: String) -> SettingsLevel? {
        let parts = path.split(separator: ".", maxSplits: 2)
        guard parts.count >= 2, parts[0] == "settings", let level = SettingsLevel(rawValue: String(parts[1])),
              level.isEncrypted else { return nil }
        return level
    }

    /// A field path as a message names it: keys of encrypted levels never are (a message is
    /// read by everyone who reads the history, whatever their level): `admin settings`.
    static func spoken(_ path: String) -> String {
        encryptedLevel(of: path).map { "\($0.key) settings" } ?? path
    }

    private static func uniqued(_ names: [String]) -> [String] {
        var seen: Set<String> = []
        return names.filter { seen.insert($0).inserted }
    }

    /// A commit subject as `role` may read it: every `settings.<level>.<key>` of a level above
    /// the role becomes `<level> settings`. Our own messages never name such keys; older
    /// commits, engineers' messages and the `Revert "…"` of either may.
    public static func visibleSubject(_ subject: String, to role: Role) -> String {
        var out = ""
        var rest = Substring(subject)
        while let range = rest.range(of: "settings.") {
            out += rest[..<range.lowerBound]
            let after = rest[range.upperBound...]
            let levelName = after.prefix { $0.isLetter || $0 == "_" }
            guard let level = SettingsLevel(rawValue: String(levelName)), level.isEncrypted, !level.isReadable(by: role),
                  range.lowerBound == rest.startIndex || !(rest[rest.index(before: range.lowerBound)].isLetter) else {
                out += rest[range]
                rest = after
                continue
            }
            // Drop the key path that follows (`.alarm_code`, `.a.b`).
            var tail = after.dropFirst(levelName.count)
            while tail.first == "." {
                tail = tail.dropFirst().drop { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == "~" }
            }
            out += "\(level.key) settings"
            rest = tail
        }
        return out + rest
    }

    /// The line for a change of `backoffice.json`: `Deployment: title "A" → "B",
    /// settings.none.timezone changed`. Title and branch show both values; settings and
    /// anything else only say what was added, removed or changed (a setting may be secret).
    public static func deploymentLine(old: DeploymentFile?, new: DeploymentFile?) -> String {
        let changes = FieldDiff.between(.object(old?.members ?? [:]), .object(new?.members ?? [:]))
        guard !changes.isEmpty else { return "Deployment: no change" }
        let parts = uniqued(changes.map { change -> String in
            if ["title", "branch"].contains(change.path) { return "\(change.path) \(short(change.old)) → \(short(change.new))" }
            if let level = encryptedLevel(of: change.path) { return "\(level.key) settings changed" }
            let what = change.old == nil ? "added" : change.new == nil ? "removed" : "changed"
            return "\(change.path) \(what)"
        })
        let more = parts.count > 6 ? " and \(parts.count - 6) more" : ""
        return "Deployment: " + parts.prefix(6).joined(separator: ", ") + more
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
