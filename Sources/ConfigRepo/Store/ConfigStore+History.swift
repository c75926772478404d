import CGit2

extension ConfigStore {
    /// Commits on the tracked branch's first-parent line that changed the file at `path`
    /// (added, modified or deleted it), newest first, at most `limit` of them.
    ///
    /// Compares the path's blob id in each commit with its first parent's, walking the
    /// directories level by level and stopping as soon as a subtree id is equal, so no diff
    /// is computed and unchanged directories are never read.
    public func history(of path: String, limit: Int? = nil) throws(StoreError) -> [CommitInfo] {
        let components = path.split(separator: "/").map(String.init)
        guard !components.isEmpty else { throw .invalidPath(path) }
        return try withReader { repo in
            guard let head = try repo.referenceTarget(referenceName) else { return [] }
            var walk: OpaquePointer?
            try GitError.check(git_revwalk_new(&walk, repo.pointer), "git_revwalk_new")
            defer { git_revwalk_free(walk) }
            var start = head
            try GitError.check(git_revwalk_push(walk, &start), "walk from head")
            try GitError.check(git_revwalk_simplify_first_parent(walk), "first parent")

            var result: [CommitInfo] = []
            var id = git_oid()
            while git_revwalk_next(&id, walk) == 0 {
                if let limit, result.count >= limit { break }
                let touched = try repo.withCommit(id) { commit throws(GitError) -> Bool in
                    let tree = git_commit_tree_id(commit).pointee
                    guard git_commit_parentcount(commit) > 0, let parentID = git_commit_parent_id(commit, 0) else {
                        return try repo.entry(inTree: tree, path: path) != nil
                    }
                    let parentTree = try repo.treeID(ofCommit: parentID.pointee)
                    return try !repo.samePathEntry(components, tree, parentTree)
                }
                if touched { result.append(try repo.commitInfo(id)) }
            }
            return result
        }
    }
}

extension GitRepository {
    /// Whether `components` leads to the same entry (same id, or absent in both) in two trees.
    func samePathEntry(_ components: [String], _ lhs: git_oid, _ rhs: git_oid) throws(GitError) -> Bool {
        var left: git_oid? = lhs, right: git_oid? = rhs
        for name in components {
            guard let l = left, let r = right else { return left == nil && right == nil }
            if git_oid.same(l, r) { return true }
            left = try childID(of: l, named: name)
            right = try childID(of: r, named: name)
        }
        switch (left, right) {
        case (nil, nil): return true
        case let (l?, r?): return git_oid.same(l, r)
        default: return false
        }
    }

    /// The id of the entry `name` directly in tree `id`; nil when absent (or `id` is a blob).
    private func childID(of id: git_oid, named name: String) throws(GitError) -> git_oid? {
        var id = id
        var tree: OpaquePointer?
        let code = git_tree_lookup(&tree, pointer, &id)
        if code == GIT_ENOTFOUND.rawValue || code == GIT_EINVALIDSPEC.rawValue { return nil }
        try GitError.check(code, "look up tree")
        defer { git_tree_free(tree) }
        guard let entry = git_tree_entry_byname(tree, name) else { return nil }
        return git_tree_entry_id(entry).pointee
    }
}
