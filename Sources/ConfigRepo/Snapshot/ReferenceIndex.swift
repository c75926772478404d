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
        for reference in document.outgoingReferences {
            referrers[reference.target, default: []].insert(document.ref)
        }
    }

    /// Forgets the references of `document`.
    mutating func remove(_ document: ConfigDocument) {
        for reference in document.outgoingReferences {
            referrers[reference.target, default: []].remove(document.ref)
            if referrers[reference.target]?.isEmpty == true { referrers.removeValue(forKey: reference.target) }
        }
    }
}
