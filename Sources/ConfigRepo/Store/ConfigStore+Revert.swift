import CGit2

extension ConfigStore {
    /// Makes a real revert commit of `commit` on top of the branch head, computed in memory
    /// (no working-tree index), with git's message: `Revert "<subject>"` and
    /// `This reverts commit <sha>.`
    ///
    /// When nothing since has touched the paths the commit changed, its parent's files are
    /// put back directly (``GitRepository/revertTreeByRestoring(_:onto:)``); otherwise the
    /// trees are merged as `git revert` does.
    ///
    /// Refused with `.revertConflict(paths:)` when later commits changed the same lines;
    /// nothing is written then. Committed through the same compare-and-swap as ``commit(_:author:message:)``.
    public func revert(_ commit: ObjectID, author: Signature) throws(StoreError) -> CommitInfo {
        let result = try withRepository { repo in
            let target = try repo.commitInfo(commit.oid)
            let message = "Revert \"\(target.subject)\"\n\nThis reverts commit \(commit.hex).\n"
            return try commitWithRetry(repo, author: author, message: message) { head, headTree in
                guard let head, let headTree else { throw StoreError.notFound("branch \(branch)") }
                return try repo.revertedTree(of: target, onto: head, headTree: headTree)
            }
        }
        if !result.isUnchangedHead { commitLanded() }
        return result
    }
}

extension GitRepository {
    /// The tree that results from reverting `commit` on top of `head` (whose tree is
    /// `headTree`), with the changed paths when known: by restoring the parent's files when
    /// nothing since touched them, else by merging. Throws `StoreError.revertConflict`.
    func revertedTree(of commit: CommitInfo, onto head: git_oid, headTree: git_oid) throws -> (git_oid, [String]?) {
        if let restored = try revertTreeByRestoring(commit.id.oid, onto: headTree) { return (restored.tree, restored.paths) }
        return (try revertTree(of: commit.id.oid, onto: head, mainline: commit.parents.count > 1 ? 1 : 0), nil)
    }

    /// The tree that results from reverting `commit` on top of `onto`, via an in-memory
    /// index; throws `StoreError.revertConflict` with the conflicting paths.
    func revertTree(of commit: git_oid, onto: git_oid, mainline: UInt32) throws -> git_oid {
        try withCommit(commit) { reverted throws(GitError) -> Result<git_oid, StoreError> in
            try withCommit(onto) { ours throws(GitError) -> Result<git_oid, StoreError> in
                var index: OpaquePointer?
                try GitError.check(git_revert_commit(&index, pointer, reverted, ours, mainline, nil), "git_revert_commit")
                defer { git_index_free(index) }
                if git_index_has_conflicts(index) != 0 {
                    return .failure(.revertConflict(paths: try conflictPaths(index!)))
                }
                var tree = git_oid()
                try GitError.check(git_index_write_tree_to(&tree, index, pointer), "write reverted tree")
                return .success(tree)
            }
        }.get()
    }

    /// The paths with conflicts in an index, sorted.
    private func conflictPaths(_ index: OpaquePointer) throws(GitError) -> [String] {
        var iterator: OpaquePointer?
        try GitError.check(git_index_conflict_iterator_new(&iterator, index), "conflict iterator")
        defer { git_index_conflict_iterator_free(iterator) }
        var paths: Set<String> = []
        var ancestor: UnsafePointer<git_index_entry>?
        var ours: UnsafePointer<git_index_entry>?
        var theirs: UnsafePointer<git_index_entry>?
        while git_index_conflict_next(&ancestor, &ours, &theirs, iterator) == 0 {
            for entry in [ancestor, ours, theirs] {
                if let entry, let path = entry.pointee.path { paths.insert(String(cString: path)) }
            }
        }
        return paths.sorted()
    }
}
