import Synchronization

/// When each file of the tracked branch was first written and last changed, and how many
/// commits changed it: what the REST API reports as `created_at`, `updated_at` and `version`
/// (docs/rest-api.md). Git knows all of it; this keeps it in memory so that no request walks
/// history.
///
/// Built once by walking the first-parent line from the head (each commit's changed paths come
/// from the store's path-history index, in memory for its own commits), then moved forward
/// commit by commit with ``catchUp(to:)``: a new head costs one step per new commit. A head
/// that is not a descendant of the last one (a rewritten branch) rebuilds it.
///
/// Counting is by file path on the first-parent line: a merge counts as one change of the
/// paths it brings in, and an object deleted and written again keeps its first time and count.
public final class FileTimeline: Sendable {
    /// One file's times (Unix seconds) and change count.
    public struct Entry: Sendable, Hashable {
        /// The author time of the first commit that wrote the file.
        public var created: Int
        /// The author time of the last commit that changed it.
        public var updated: Int
        /// How many commits on the first-parent line changed it (1 for a file written once).
        public var changes: Int
    }

    private struct State {
        var head: ObjectID?
        var entries: [String: Entry] = [:]
    }

    private let store: ConfigStore
    private let state = Mutex(State())
    /// One catch-up at a time; readers only wait for the short apply step.
    private let walking = Mutex<Void>(())

    /// An empty timeline of `store`'s branch; ``catchUp(to:)`` fills it.
    public init(store: ConfigStore) {
        self.store = store
    }

    /// The commit the timeline is up to date with.
    public var head: ObjectID? { state.withLock { $0.head } }

    /// The times of the file at `path`, nil when no commit up to ``head`` wrote it.
    public func entry(_ path: String) -> Entry? {
        state.withLock { $0.entries[path] }
    }

    /// Moves the timeline to `head` (a commit of the branch): walks back from it to the commit
    /// it is at, then counts the new commits oldest first. Quick when nothing is new.
    public func catchUp(to head: ObjectID?) throws(StoreError) {
        if state.withLock({ $0.head }) == head { return }
        try walking.withLock { _ throws(StoreError) in
            let known = state.withLock { $0.head }
            guard known != head else { return }
            var chain: [ConfigStore.CommitChange] = []
            var next = head
            while let commit = next, commit != known {
                let change = try store.commitChange(commit)
                chain.append(change)
                next = change.parent
            }
            // The walk ended at the root without meeting the known head: history was rewritten.
            let rebuild = next == nil
            state.withLock { state in
                if rebuild { state.entries.removeAll() }
                for change in chain.reversed() {
                    for path in change.paths {
                        if var entry = state.entries[path] {
                            entry.updated = change.time
                            entry.changes += 1
                            state.entries[path] = entry
                        } else {
                            state.entries[path] = Entry(created: change.time, updated: change.time, changes: 1)
                        }
                    }
                }
                state.head = head
            }
        }
    }
}
