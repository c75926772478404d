import CGit2

extension GitRepository {
    /// The branch HEAD names (`refs/heads/main`); nil when HEAD is detached or missing.
    func headBranchName() -> String? {
        var head: OpaquePointer?
        guard git_reference_lookup(&head, pointer, "HEAD") == 0 else { return nil }
        defer { git_reference_free(head) }
        guard git_reference_type(head) == GIT_REFERENCE_SYMBOLIC, let target = git_reference_symbolic_target(head) else { return nil }
        return String(cString: target)
    }

    /// `git reset --hard commit`: the index and working tree become the commit's tree, and
    /// files the index tracked that the tree lacks are removed. Moves HEAD's branch to
    /// `commit` (callers pass the commit it already names). Untracked files stay.
    func resetHard(to commit: git_oid) throws(GitError) {
        var id = commit
        var object: OpaquePointer?
        try GitError.check(git_object_lookup(&object, pointer, &id, GIT_OBJECT_COMMIT), "look up commit")
        defer { git_object_free(object) }
        try GitError.check(git_reset(pointer, object, GIT_RESET_HARD, nil), "reset --hard")
    }
}
