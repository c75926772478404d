import Foundation

extension ConfigStore {
    /// What one commit of the tracked branch changed against its first parent, and when.
    public struct CommitChange: Sendable, Hashable {
        public var commit: ObjectID
        /// The first parent; nil for a root commit.
        public var parent: ObjectID?
        /// Paths added, modified or deleted; for a root commit, every file of its tree.
        public var paths: [String]
        /// The author's time, Unix seconds.
        public var time: Int
    }

    /// What `commit` changed against its first parent, from the path-history index
    /// (``PathHistoryIndex``: in memory for the store's own commits, learnt once for others).
    public func commitChange(_ commit: ObjectID) throws(StoreError) -> CommitChange {
        try reading {
            let change = try pathHistory.change(of: commit) { commit in
                let (tree, parent) = try GitCommit.treeAndFirstParent(commit, from: objects)
                guard let parent else { return (nil, nil) }
                return (parent, try objects.changedPaths(from: try objects.treeID(ofCommit: parent), to: tree))
            }
            let paths = try change.paths ?? objects.changedPaths(from: nil, to: try objects.treeID(ofCommit: commit))
            let date = try objects.commitInfo(commit).author.date
            return CommitChange(commit: commit, parent: change.parent, paths: paths,
                                time: Int(date?.timeIntervalSince1970.rounded(.down) ?? 0))
        }
    }
}
