/// Who refers to whom: the reverse of every object's outgoing references.
///
/// Kept up to date incrementally as objects change, so a write can find the objects it
/// affects (the systems of a deleted zone, the referrers of a renamed id) without a scan.
public struct ReferenceIndex: Sendable {
    private var referrers = ShardedDictionary<ObjectRef, Set<ObjectRef>>()

    public init() {}

    /// Objects whose files refer to `target`, of any kind.
    public func referrers(of target: ObjectRef) -> Set<ObjectRef> {
        referrers[target] ?? []
    }

    /// Ids of the objects of `kind` that refer to `target`, sorted.
    public func referrers(of target: ObjectRef, ofKind kind: Kind) -> [String] {
        (referrers[target] ?? []).filter { $0.kind == kind }.map(\.id).sorted()
    }

    /// Records the references of `document`.
    mutating func add(_ document: ConfigDocument) {
        for target in document.referencedObjects {
            referrers[target, default: []].insert(document.ref)
        }
    }

    /// Moves `ref`'s references from what `old` referred to to what `new` refers to, touching
    /// only the targets that differ.
    mutating func update(_ ref: ObjectRef, from old: ConfigDocument?, to new: ConfigDocument?) {
        let before = Set(old?.referencedObjects ?? [])
        let after = Set(new?.referencedObjects ?? [])
        for target in before.subtracting(after) {
            referrers[target, default: []].remove(ref)
            if referrers[target]?.isEmpty == true { referrers.removeValue(forKey: target) }
        }
        for target in after.subtracting(before) {
            referrers[target, default: []].insert(ref)
        }
    }
}
