extension ObjectBatch {
    /// The tree that reverting `commit` onto `headTree` gives when nothing since has touched
    /// what it changed, built by putting back its parent's files: every path the commit
    /// changed must still hold, at the head, exactly what the commit left there (or still
    /// be absent). Then a three-way merge would take the parent's side for those paths
    /// and the head's for all others, which is what this writes, at the cost of a commit
    /// rather than of merging whole trees (120–470 ms on 62,000 files).
    ///
    /// Returns the new tree and the changed paths, or nil when the fast way does not apply
    /// (a later change to one of the paths, a merge or root commit, a file that became a
    /// directory or the other way round, a mode other than a plain file) and the caller
    /// must merge.
    func revertTreeByRestoring(_ commit: ObjectID, onto headTree: ObjectID) throws(GitError) -> (tree: ObjectID, paths: [String])? {
        let reverted = try GitCommit(commit, from: self)
        guard reverted.parents.count == 1 else { return nil }
        let tree = reverted.tree
        let parentTree = try treeID(ofCommit: reverted.parents[0])
        let paths = try changedPaths(from: parentTree, to: tree)
        // Sorted, so a path with a directory under it is followed by that directory's paths.
        for (path, next) in zip(paths, paths.dropFirst()) where next.hasPrefix(path + "/") { return nil }

        var edits: [GitTreeEdit] = []
        edits.reserveCapacity(paths.count)
        for path in paths {
            let left = try entry(inTree: tree, path: path)
            let now = try entry(inTree: headTree, path: path)
            let restored = try entry(inTree: parentTree, path: path)
            for entry in [left, now, restored] {
                if let entry, !entry.isPlainFile { return nil }
            }
            switch (left, now) {
            case (nil, nil): break
            case let (left?, now?) where left.id == now.id: break
            default: return nil
            }
            edits.append(GitTreeEdit(components: path.split(separator: "/", omittingEmptySubsequences: false), blob: restored?.id))
        }
        return (try applyEdits(to: headTree, edits), paths)
    }
}
