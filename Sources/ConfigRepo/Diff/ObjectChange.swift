/// One object (or `backoffice.json`, or a level map) that differs between two commits, with
/// its changed fields in words (``ChangeWords``).
public struct ObjectChange: Sendable, Hashable {
    public enum Action: String, Sendable, Hashable {
        case created, deleted, edited
    }

    /// What changed: an object, the deployment file or a map file.
    public enum Subject: Sendable, Hashable, Comparable {
        case deployment
        case object(ObjectRef)
        case map(String)
    }

    public var subject: Subject
    public var action: Action
    /// The object's display name (its name, or its id).
    public var name: String
    /// The repository path of the file (`systems/sys-l2-ferry.json`, `backoffice.json`, `maps/level-3.svg`).
    public var path: String
    /// The changed fields, as anyone who reads the history may see them; empty for maps.
    public var fields: [FieldWording]

    public init(subject: Subject, action: Action, name: String, path: String, fields: [FieldWording]) {
        self.subject = subject
        self.action = action
        self.name = name
        self.path = path
        self.fields = fields
    }

    /// The change in one line: `systems/sys-l2-ferry: capacity 8 → 12`,
    /// `zones: + zone-hp-l4 "Level 4"`, `maps: - level-3.svg`.
    public var line: String {
        switch (subject, action) {
        case (.deployment, _):
            return "backoffice.json: " + (fields.isEmpty ? "changed" : fields.map(\.text).joined(separator: "; "))
        case (.map(let file), .created): return "maps: + \(file)"
        case (.map(let file), .deleted): return "maps: - \(file)"
        case (.map(let file), .edited): return "maps/\(file): changed"
        case (.object(let ref), .created): return "\(ref.kind.directory): + \(ref.id)\(titled(ref))"
        case (.object(let ref), .deleted): return "\(ref.kind.directory): - \(ref.id)\(titled(ref))"
        case (.object(let ref), .edited):
            return "\(ref.kind.directory)/\(ref.id): " + fields.map(\.text).joined(separator: "; ")
        }
    }
}

extension ObjectChange {
    /// ` "Name"` after an id, when the object has a name of its own.
    private func titled(_ ref: ObjectRef) -> String {
        name == ref.id ? "" : " " + ChangeWords.quoted(name)
    }
}

/// One changed field in words. `old` and `new` are left out (nil) for secrets and encrypted
/// settings: only ``text`` says they changed.
public struct FieldWording: Sendable, Hashable {
    /// The JSON path (`capacity`, `settings.none.volume`, `admin settings`).
    public var path: String
    /// `capacity 8 → 12`, `client_secret changed`, `admin settings changed`.
    public var text: String
    /// Whether the values are withheld (a secret or an encrypted level).
    public var isSecret: Bool
    public var old: JSONValue?
    public var new: JSONValue?

    public init(path: String, text: String, isSecret: Bool, old: JSONValue?, new: JSONValue?) {
        self.path = path
        self.text = text
        self.isSecret = isSecret
        self.old = old
        self.new = new
    }
}
