extension ConfigStore {
    /// Moves the tracked branch from `expected` to `commit`, a descendant whose objects the
    /// repository already holds (fetched from the upstream), and brings the working tree along.
    /// Returns false, moving nothing, when the branch is no longer at `expected`: a local
    /// commit landed meanwhile and the caller decides again.
    public func fastForward(to commit: ObjectID, from expected: ObjectID?, committer: Signature = .backoffice) throws(StoreError) -> Bool {
        try moveBranch(to: commit, from: expected, committer: committer, logMessage: "upstream: fast-forward to \(commit.short)")
    }

    /// Moves the tracked branch from `expected` to `commit` (any commit the repository holds:
    /// our waiting commits replayed onto a moved upstream, ``replay(_:onto:committer:)``), as a
    /// compare-and-swap under the writer lock, and brings the working tree along. Returns false,
    /// moving nothing, when the branch is no longer at `expected`.
    public func moveBranch(to commit: ObjectID, from expected: ObjectID?, committer: Signature = .backoffice,
                           logMessage: String) throws(StoreError) -> Bool {
        let referenceName = self.referenceName
        return try withWriter { _ in
            let oldTree = try expected.map { try objects.treeID(ofCommit: $0) }
            let newTree = try objects.treeID(ofCommit: commit)
            switch try references.compareAndSwap(referenceName, to: commit, from: expected, committer: committer,
                                                  logMessage: logMessage) {
            case .updated:
                let paths = try objects.changedPaths(from: oldTree, to: newTree)
                if let follower {
                    follower.schedule()
                } else {
                    followWorkingTree(from: oldTree, to: newTree, paths: paths)
                }
                return true
            case .moved, .locked:
                return false
            }
        }
    }
}
