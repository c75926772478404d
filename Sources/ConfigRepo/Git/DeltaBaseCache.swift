import Synchronization

/// Recently used delta bases, by pack (its checksum) and offset, up to a byte budget: reading
/// the newest version of a file whose versions are a delta chain then costs one delta, not
/// the whole chain.
final class DeltaBaseCache: Sendable {
    private struct Key: Hashable {
        var pack: ObjectID
        var offset: Int
    }

    private let cache: Mutex<ObjectCache<Key>>
    /// A base larger than this is not kept (it would push out many small ones).
    private let largest: Int

    init(budget: Int) {
        cache = Mutex(ObjectCache(budget: budget))
        largest = budget / 8
    }

    func object(in pack: PackFile, at offset: Int) -> GitObject? {
        cache.withLock { $0.object(Key(pack: pack.checksum, offset: offset)) }
    }

    func remember(_ object: GitObject, in pack: PackFile, at offset: Int) {
        guard object.bytes.count <= largest else { return }
        cache.withLock { $0.add(object, as: Key(pack: pack.checksum, offset: offset)) }
    }
}
