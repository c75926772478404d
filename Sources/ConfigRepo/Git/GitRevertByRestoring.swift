import CGit2

extension GitRepository {
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
    func revertTreeByRestoring(_ commit: git_oid, onto headTree: git_oid) throws(GitError) -> (tree: git_oid, paths: [String])? {
        let (tree, parent) = try withCommit(commit) { reverted throws(GitError) -> (git_oid, git_oid?) in
            let parent = git_commit_parentcount(reverted) == 1 ? git_commit_parent_id(reverted, 0)?.pointee : nil
            return (git_commit_tree_id(reverted).pointee, parent)
        }
        guard let parent else { return nil }
        let parentTree = try treeID(ofCommit: parent)
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
                if let entry, entry.mode != GIT_FILEMODE_BLOB { return nil }
            }
            switch (left, now) {
            case (nil, nil): break
            case let (left?, now?) where git_oid.same(left.id, now.id): break
            default: return nil
            }
            edits.append(GitTreeEdit(components: path.split(separator: "/", omittingEmptySubsequences: false), blob: restored?.id))
        }
        return (try applyEdits(to: headTree, edits), paths)
    }
}
