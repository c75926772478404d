extension ConfigStore {
    /// Commits on the tracked branch's first-parent line that changed the file at `path`
    /// (added, modified or deleted it), newest first, at most `limit` of them.
    ///
    /// Walks the path-history index (``PathHistoryIndex``) in memory; commits it does not
    /// know yet (made by the git CLI, or before the index existed) are diffed against their
    /// first parent once and added to it.
    public func history(of path: String, limit: Int? = nil) throws(StoreError) -> [CommitInfo] {
        guard !path.split(separator: "/").isEmpty else { throw .invalidPath(path) }
        return try reading {
            guard let head = head() else { return [] }
            let commits = try pathHistory.commits(changing: path, from: head, limit: limit, learn: { commit in
                let (tree, parent) = try GitCommit.treeAndFirstParent(commit, from: objects)
                guard let parent else { return (nil, nil) }
                return (parent, try objects.changedPaths(from: try objects.treeID(ofCommit: parent), to: tree))
            }, holds: { root in
                try objects.blobID(inTree: try objects.treeID(ofCommit: root), path: path) != nil
            })
            return try commits.map { try objects.commitInfo($0) }
        }
    }
}
