/// Every object, map and deployment-file change from one snapshot to another, in words.
/// Objects are compared by version (their blob id), so an untouched object costs a lookup.
public enum SnapshotDiff {
    public static func between(_ old: Snapshot, _ new: Snapshot) -> [ObjectChange] {
        var changes: [ObjectChange] = []
        if old.deployment?.members != new.deployment?.members {
            changes.append(ObjectChange(subject: .deployment, action: action(old.deployment != nil, new.deployment != nil),
                                        name: "backoffice.json", path: "backoffice.json",
                                        fields: ChangeWords.fields(of: nil, old: old.deployment.map { .object($0.members) },
                                                                   new: new.deployment.map { .object($0.members) })))
        }
        for kind in Kind.allCases {
            var ids = Set<String>()
            for document in old.unordered(kind) { ids.insert(document.id) }
            for document in new.unordered(kind) { ids.insert(document.id) }
            for id in ids.sorted() {
                let before = old.document(kind, id), after = new.document(kind, id)
                if let before, let after, before.version != nil, before.version == after.version { continue }
                if before?.members == after?.members { continue }
                let document = (after ?? before)!
                let fields = (before != nil && after != nil)
                    ? ChangeWords.fields(of: kind, old: before.map { .object($0.members) }, new: after.map { .object($0.members) })
                    : []
                changes.append(ObjectChange(subject: .object(document.ref), action: action(before != nil, after != nil),
                                            name: document.displayName, path: document.path, fields: fields))
            }
        }
        for file in Set(old.maps.keys).union(new.maps.keys).sorted() where old.maps[file] != new.maps[file] {
            changes.append(ObjectChange(subject: .map(file), action: action(old.maps[file] != nil, new.maps[file] != nil),
                                        name: file, path: "maps/\(file)", fields: []))
        }
        return changes
    }

    private static func action(_ before: Bool, _ after: Bool) -> ObjectChange.Action {
        before ? (after ? .edited : .deleted) : .created
    }
}
