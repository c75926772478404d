/// One field that differs between two versions of an object.
public struct FieldChange: Sendable, Hashable {
    /// The JSON path of the field (`capacity`, `settings.none.volume`).
    public var path: String
    /// The value before; nil when the field was added.
    public var old: JSONValue?
    /// The value after; nil when the field was removed.
    public var new: JSONValue?

    public init(path: String, old: JSONValue?, new: JSONValue?) {
        self.path = path
        self.old = old
        self.new = new
    }
}

/// Field-level differences between two versions of an object.
///
/// Objects are compared member by member, recursively; arrays and scalars are compared
/// whole, because an ordered id list reads better as "before → after" than as edits.
public enum FieldDiff {
    /// The changed fields from `old` to `new` (either may be nil: created or deleted),
    /// sorted by path.
    public static func between(_ old: JSONValue?, _ new: JSONValue?) -> [FieldChange] {
        var changes: [FieldChange] = []
        compare(old, new, at: "", into: &changes)
        return changes
    }

    private static func compare(_ old: JSONValue?, _ new: JSONValue?, at path: String, into changes: inout [FieldChange]) {
        if old == new { return }
        if case .object(let before)? = old, case .object(let after)? = new {
            let names = Set(before.keys).union(after.keys)
            for name in names.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
                compare(before[name], after[name], at: path.isEmpty ? name : "\(path).\(name)", into: &changes)
            }
            return
        }
        if path.isEmpty, old == nil || new == nil {
            // A whole object created or deleted: list its top-level fields.
            let members = (old ?? new)?.objectValue ?? [:]
            for name in JSONWriter.sortedKeys(members) {
                changes.append(FieldChange(path: name, old: old == nil ? nil : members[name], new: new == nil ? nil : members[name]))
            }
            return
        }
        changes.append(FieldChange(path: path, old: old, new: new))
    }
}
