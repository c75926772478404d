import CGit2

extension GitRepository {
    /// Merges `theirs` into `ours` as `git merge` does, in memory (``keepWritesInMemory()``):
    /// the merged tree and the objects `database` lacks, or the paths both sides changed in the
    /// same lines. Use a handle of its own: its writes stay in memory for as long as it lives.
    func merge(_ theirs: ObjectID, into ours: ObjectID, database: ObjectDatabase) throws(GitError) -> MergedTree {
        try keepWritesInMemory()
        let outcome = try withCommit(ours) { our throws(GitError) -> MergedTree in
            try withCommit(theirs) { their throws(GitError) -> MergedTree in
                var index: OpaquePointer?
                try GitError.check(git_merge_commits(&index, pointer, our, their, nil), "git_merge_commits")
                defer { git_index_free(index) }
                if git_index_has_conflicts(index) != 0 { return .conflict(paths: try conflictPaths(index!)) }
                var tree = git_oid()
                try GitError.check(git_index_write_tree_to(&tree, index, pointer), "write merged tree")
                return .tree(ObjectID(tree), newObjects: [])
            }
        }
        guard case .tree(let tree, _) = outcome else { return outcome }
        return .tree(tree, newObjects: try objects(under: tree, missingFrom: database))
    }

    /// The best common ancestor of two commits; nil when their histories are unrelated.
    func mergeBase(_ one: ObjectID, _ other: ObjectID) throws(GitError) -> ObjectID? {
        var base = git_oid(), first = one.oid, second = other.oid
        let code = git_merge_base(&base, pointer, &first, &second)
        if code == GIT_ENOTFOUND.rawValue { return nil }
        try GitError.check(code, "merge base of \(one.short) and \(other.short)")
        return ObjectID(base)
    }

    /// The direct references whose full names match `glob` (`refs/heads/*`), with their
    /// commits, sorted by name; symbolic ones (`refs/remotes/upstream/HEAD`) are left out.
    func references(matching glob: String) throws(GitError) -> [(name: String, target: ObjectID)] {
        var iterator: OpaquePointer?
        try GitError.check(git_reference_iterator_glob_new(&iterator, pointer, glob), "list \(glob)")
        defer { git_reference_iterator_free(iterator) }
        var found: [(name: String, target: ObjectID)] = []
        var reference: OpaquePointer?
        while true {
            let code = git_reference_next(&reference, iterator)
            if code == GIT_ITEROVER.rawValue { break }
            try GitError.check(code, "list \(glob)")
            defer { git_reference_free(reference) }
            if let target = git_reference_target(reference) {
                found.append((String(cString: git_reference_name(reference)), ObjectID(target.pointee)))
            }
        }
        return found.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
    }

    /// Deletes the reference `name` when it still points at `expected`; false (nothing
    /// deleted) when it moved or no longer exists.
    func deleteReference(_ name: String, expected: ObjectID) throws(GitError) -> Bool {
        var reference: OpaquePointer?
        let code = git_reference_lookup(&reference, pointer, name)
        if code == GIT_ENOTFOUND.rawValue { return false }
        try GitError.check(code, "look up \(name)")
        defer { git_reference_free(reference) }
        guard let target = git_reference_target(reference), ObjectID(target.pointee) == expected else { return false }
        try GitError.check(git_reference_delete(reference), "delete \(name)")
        return true
    }
}
