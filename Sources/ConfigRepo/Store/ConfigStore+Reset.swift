extension ConfigStore {
    /// Brings the index and working tree to the tracked branch's tree, as `git reset --hard`
    /// does, when HEAD names that branch. A writer killed between moving the branch and
    /// checking out leaves them behind, and git then refuses every push ("Working directory has
    /// staged changes"). `serve` calls this at start: the working tree of a served repository
    /// is the server's, not an engineer's (docs/config-format.md). Returns whether it reset.
    @discardableResult
    public func resetWorkingTree() throws(StoreError) -> Bool {
        let referenceName = self.referenceName
        // Under the writer lock: no commit of this store moves the branch meanwhile.
        return try withWriter { _ in
            let repo = try libgit2Handle()
            guard repo.workingDirectory != nil, repo.headBranchName() == referenceName,
                  let head = try references.target(of: referenceName) else { return false }
            try repo.resetHard(to: head.oid)
            return true
        }
    }
}
