import CGit2

/// A revert computed but not yet committed, so the validation gate can see it first.
struct RevertPlan {
    /// The files to change on top of the head, each expecting the head's version.
    var changes: [FileChange]
    /// git's message: `Revert "<subject>"` and `This reverts commit <sha>.`
    var message: String
}

extension ConfigStore {
    /// What reverting `commit` on top of the current head changes (see
    /// ``GitRepository/revertedTree(of:onto:headTree:)``); throws `.revertConflict` when later commits changed the same lines.
    func revertPlan(_ commit: ObjectID) throws(StoreError) -> RevertPlan {
        let referenceName = self.referenceName
        return try withRepository { repo in
            guard let head = try repo.referenceTarget(referenceName) else {
                throw StoreError.notFound("branch \(referenceName) has no commit")
            }
            let target = try repo.commitInfo(commit.oid)
            let message = "Revert \"\(target.subject)\"\n\nThis reverts commit \(commit.hex).\n"
            let headTree = try repo.treeID(ofCommit: head)
            // The fast path already knows the paths it restored; a merge's are diffed.
            let (revertedTree, restoredPaths) = try repo.revertedTree(of: target, onto: head, headTree: headTree)
            var changes: [FileChange] = []
            for path in try restoredPaths ?? repo.changedPaths(from: headTree, to: revertedTree) {
                let expected = try repo.blobID(inTree: headTree, path: path).map { ExpectedVersion.version(ObjectID($0)) } ?? .absent
                let content = try repo.blobID(inTree: revertedTree, path: path).map { id throws(GitError) in try repo.readObjectBytes(id) }
                changes.append(FileChange(path: path, expected: expected, content: content))
            }
            return RevertPlan(changes: changes, message: message)
        }
    }
}
