import CGit2

/// The outcome of a three-way merge made in memory (a revert, or a branch merged in).
enum MergedTree {
    /// The merged tree, and the objects the merge made that the store does not hold yet.
    case tree(ObjectID, newObjects: [(ObjectID, GitObject)])
    /// Both sides changed the same lines of these paths.
    case conflict(paths: [String])
}

extension GitRepository {
    /// Reverts `commit` on top of `onto` as `git revert` does, in memory: libgit2 merges into
    /// an in-memory index and writes the result to memory only (``keepWritesInMemory()``);
    /// the objects the store's `database` lacks are returned for the caller to pack. Use a
    /// handle of its own: its writes stay in memory for as long as it lives.
    func revertByMerging(_ commit: ObjectID, onto: ObjectID, mainline: UInt32, database: ObjectDatabase) throws(GitError) -> MergedTree {
        try keepWritesInMemory()
        let outcome = try withCommit(commit) { reverted throws(GitError) -> MergedTree in
            try withCommit(onto) { ours throws(GitError) -> MergedTree in
                var index: OpaquePointer?
                try GitError.check(git_revert_commit(&index, pointer, reverted, ours, mainline, nil), "git_revert_commit")
                defer { git_index_free(index) }
                if git_index_has_conflicts(index) != 0 { return .conflict(paths: try conflictPaths(index!)) }
                var tree = git_oid()
                try GitError.check(git_index_write_tree_to(&tree, index, pointer), "write reverted tree")
                return .tree(ObjectID(tree), newObjects: [])
            }
        }
        guard case .tree(let tree, _) = outcome else { return outcome }
        return .tree(tree, newObjects: try objects(under: tree, missingFrom: database))
    }

    /// Every object under `tree` (itself included) that `database` lacks: what an in-memory
    /// merge wrote, for the store to pack.
    func objects(under tree: ObjectID, missingFrom database: ObjectDatabase) throws(GitError) -> [(ObjectID, GitObject)] {
        var newObjects: [(ObjectID, GitObject)] = []
        var pending = [tree]
        while let id = pending.popLast() {
            guard !database.contains(id) else { continue }
            let object = try readObject(id)
            newObjects.append((id, object))
            if object.type == .tree {
                for entry in try GitTree(bytes: object.bytes, id: id).entries() where entry.mode != RawTreeEntry.submoduleMode {
                    pending.append(entry.id)
                }
            }
        }
        return newObjects
    }

    /// The paths with conflicts in an index, sorted.
    func conflictPaths(_ index: OpaquePointer) throws(GitError) -> [String] {
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
