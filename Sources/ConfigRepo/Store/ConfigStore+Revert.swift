extension ConfigStore {
    /// Makes a real revert commit of `commit` on top of the branch head, computed in memory
    /// (no working-tree index), with git's message: `Revert "<subject>"` and
    /// `This reverts commit <sha>.`
    ///
    /// When nothing since has touched the paths the commit changed, its parent's files are
    /// put back directly (``ObjectBatch/revertTreeByRestoring(_:onto:)``); otherwise the
    /// trees are merged as `git revert` does.
    ///
    /// Refused with `.revertConflict(paths:)` when later commits changed the same lines;
    /// nothing is written then. Committed through the same compare-and-swap as ``commit(_:author:message:)``.
    public func revert(_ commit: ObjectID, author: Signature) throws(StoreError) -> CommitInfo {
        let result = try withWriter { writer in
            let batch = ObjectBatch(database: objects, hasher: writer.hasher)
            let target = try batch.commitInfo(commit)
            let message = "Revert \"\(target.subject)\"\n\nThis reverts commit \(commit.hex).\n"
            return try commitWithRetry(writer, batch, author: author, message: message) { head, headTree in
                guard let head, let headTree else { throw StoreError.notFound("branch \(branch)") }
                return try revertedTree(of: target, onto: head, headTree: headTree, batch: batch)
            }
        }
        if !result.isUnchangedHead { commitLanded() }
        return result
    }

    /// The tree that results from reverting `commit` on top of `head` (whose tree is
    /// `headTree`), its new objects added to `batch`, with the changed paths when known: by
    /// restoring the parent's files when nothing since touched them, else by merging.
    /// Throws `StoreError.revertConflict`.
    func revertedTree(of commit: CommitInfo, onto head: ObjectID, headTree: ObjectID, batch: ObjectBatch) throws -> (ObjectID, [String]?) {
        if let restored = try batch.revertTreeByRestoring(commit.id, onto: headTree) { return (restored.tree, restored.paths) }
        // A libgit2 handle of its own: the merge's writes stay in its memory.
        let merging = try libgit2Handle()
        switch try merging.revertByMerging(commit.id, onto: head, mainline: commit.parents.count > 1 ? 1 : 0, database: objects) {
        case .conflict(let paths):
            throw StoreError.revertConflict(paths: paths)
        case .tree(let tree, let newObjects):
            for (_, object) in newObjects { batch.add(object.type, object.bytes) }
            return (tree, nil)
        }
    }
}
