import ConfigRepo

/// Ids of each site kind in list order (by id), kept up to date incrementally so that finding
/// which list page shows an object never re-sorts 50,000 ids.
public struct SiteIndex: Sendable {
    private var sorted: [Kind: [String]] = [:]

    /// An empty index, for pages that do not need list positions (search results, forms).
    public init() {}

    public init(snapshot: Snapshot) {
        for kind in SiteKinds.all {
            sorted[kind] = snapshot.unordered(kind).map(\.id).sorted()
        }
    }

    public func ids(_ kind: Kind) -> [String] { sorted[kind] ?? [] }

    /// The position of `id` in its list, or where it would be inserted.
    public func position(of id: String, in kind: Kind) -> Int {
        let ids = sorted[kind] ?? []
        var low = 0
        var high = ids.count
        while low < high {
            let middle = (low + high) / 2
            if ids[middle] < id { low = middle + 1 } else { high = middle }
        }
        return low
    }

    public func contains(_ ref: ObjectRef) -> Bool {
        let position = position(of: ref.id, in: ref.kind)
        let ids = sorted[ref.kind] ?? []
        return position < ids.count && ids[position] == ref.id
    }

    /// Adds or removes an id.
    public mutating func update(_ ref: ObjectRef, exists: Bool) {
        guard sorted[ref.kind] != nil else { return }
        let position = position(of: ref.id, in: ref.kind)
        let present = contains(ref)
        if exists && !present { sorted[ref.kind]!.insert(ref.id, at: position) }
        if !exists && present { sorted[ref.kind]!.remove(at: position) }
    }

    /// How many list pages a kind has.
    public func pageCount(_ kind: Kind) -> Int {
        max(1, (ids(kind).count + PageRenderer.pageSize - 1) / PageRenderer.pageSize)
    }
}
