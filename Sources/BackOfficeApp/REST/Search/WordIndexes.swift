import ConfigRepo
import Synchronization

/// The `WordIndex` of each REST resource, kept for the newest snapshot a search has asked about:
/// the first search after a commit brings the resource's index up to it; later ones reuse it.
final class WordIndexes: Sendable {
    private let indexes = Mutex<[String: WordIndex]>([:])

    /// The index of `resource` at `snapshot`'s commit.
    func index(of resource: RESTResource, in snapshot: Snapshot) -> WordIndex {
        // Built under the lock: concurrent searches after a commit wait for one build, not do it each.
        indexes.withLock { indexes in
            let previous = indexes[resource.name]
            if let previous, previous.commit == snapshot.commit { return previous }
            let index = WordIndex(resource, in: snapshot, previous: previous)
            indexes[resource.name] = index
            return index
        }
    }
}
