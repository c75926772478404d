/// A revert computed but not yet committed, so the validation gate can see it first.
struct RevertPlan {
    /// The files to change on top of the head, each expecting the head's version.
    var changes: [FileChange]
    /// git's message: `Revert "<subject>"` and `This reverts commit <sha>.`
    var message: String
}

extension ConfigStore {
    /// What reverting `commit` on top of the current head changes (see
    /// ``revertedTree(of:onto:headTree:batch:)``); throws `.revertConflict` when later commits
    /// changed the same lines. Writes nothing.
    func revertPlan(_ commit: ObjectID) throws(StoreError) -> RevertPlan {
        try reading {
            guard let head = head() else { throw StoreError.notFound("branch \(referenceName) has no commit") }
            // Never flushed: what the plan computes stays in memory.
            let batch = ObjectBatch(database: objects)
            let target = try batch.commitInfo(commit)
            let message = "Revert \"\(target.subject)\"\n\nThis reverts commit \(commit.hex).\n"
            let headTree = try batch.treeID(ofCommit: head)
            // The fast path already knows the paths it restored; a merge's are diffed.
            let (revertedTree, restoredPaths) = try revertedTree(of: target, onto: head, headTree: headTree, batch: batch)
            var changes: [FileChange] = []
            for path in try restoredPaths ?? batch.changedPaths(from: headTree, to: revertedTree) {
                let expected = try batch.blobID(inTree: headTree, path: path).map(ExpectedVersion.version) ?? .absent
                let content = try batch.blobID(inTree: revertedTree, path: path).map { id throws(GitError) in try batch.read(id).bytes }
                changes.append(FileChange(path: path, expected: expected, content: content))
            }
            return RevertPlan(changes: changes, message: message)
        }
    }
}
