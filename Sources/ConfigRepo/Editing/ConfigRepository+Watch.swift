/// A new head of the tracked branch, as snapshots.
public struct SnapshotChange: Sendable {
    /// The snapshot before (nil for the first commit).
    public var old: Snapshot?
    public var new: Snapshot
    /// Paths that differ between the two.
    public var changedPaths: [String]
}

extension ConfigRepository {
    /// Calls `handler` for every new head of the tracked branch, whoever made it (our
    /// writes, `git commit` in the working tree, `git push`), in order, within a second.
    /// Keep the token; cancel it to stop.
    public func watch(interval: Duration = .milliseconds(200),
                      _ handler: @escaping @Sendable (SnapshotChange) -> Void) throws(StoreError) -> WatchToken {
        let start = try headSnapshot()
        let delivered = SnapshotBox(start)
        return store.watch(interval: interval) { [weak self] _, _, _ in
            // The head may have moved past the event's commit: deliver from what was last
            // delivered to the current head, with the paths between those two.
            guard let self, let new = try? self.headSnapshot() else { return }
            let old = delivered.swap(new)
            guard old.commit != new.commit, let newCommit = new.commit else { return }
            let paths = (try? self.store.changes(from: old.commit, to: newCommit)) ?? []
            handler(SnapshotChange(old: old, new: new, changedPaths: paths))
        }
    }
}

import Synchronization

/// The last snapshot a watcher delivered.
private final class SnapshotBox: Sendable {
    private let value: Mutex<Snapshot>
    init(_ snapshot: Snapshot) { value = Mutex(snapshot) }

    /// Stores `new` and returns what was there.
    func swap(_ new: Snapshot) -> Snapshot {
        value.withLock { current in
            let old = current
            current = new
            return old
        }
    }
}
