import CGit2

/// One file edit for ``GitRepository/applyEdits(to:_:)``: the path split into components,
/// and the new blob (nil deletes).
struct GitTreeEdit {
    var components: [Substring]
    var blob: git_oid?
}

extension GitRepository {
    /// Writes the trees that result from applying `edits` to the tree `base` (nil: empty),
    /// bottom-up with one treebuilder per touched directory, and returns the new root tree
    /// id. Untouched subtrees are reused as they are; directories left empty disappear.
    func applyEdits(to base: git_oid?, _ edits: [GitTreeEdit]) throws(GitError) -> git_oid {
        if let root = try build(base: base, edits: edits[...], depth: 0) { return root }
        // Everything was deleted: the root is the empty tree.
        var builder: OpaquePointer?
        try GitError.check(git_treebuilder_new(&builder, pointer, nil), "git_treebuilder_new")
        defer { git_treebuilder_free(builder) }
        var oid = git_oid()
        try GitError.check(git_treebuilder_write(&oid, builder), "write empty tree")
        return oid
    }

    /// Builds one directory level; nil when the directory ends up empty.
    private func build(base: git_oid?, edits: ArraySlice<GitTreeEdit>, depth: Int) throws(GitError) -> git_oid? {
        var baseTree: OpaquePointer?
        if var base {
            try GitError.check(git_tree_lookup(&baseTree, pointer, &base), "look up tree")
        }
        defer { git_tree_free(baseTree) }
        var builder: OpaquePointer?
        try GitError.check(git_treebuilder_new(&builder, pointer, baseTree), "git_treebuilder_new")
        defer { git_treebuilder_free(builder) }

        // Files at this level first; deeper edits grouped by their directory name.
        var subdirectories: [Substring: [GitTreeEdit]] = [:]
        for edit in edits {
            let name = String(edit.components[depth])
            if edit.components.count == depth + 1 {
                if var blob = edit.blob {
                    var mode = GIT_FILEMODE_BLOB
                    if let existing = git_treebuilder_get(builder, name) {
                        let existingMode = git_tree_entry_filemode(existing)
                        if existingMode == GIT_FILEMODE_BLOB_EXECUTABLE || existingMode == GIT_FILEMODE_LINK {
                            mode = existingMode
                        }
                    }
                    try GitError.check(git_treebuilder_insert(nil, builder, name, &blob, mode), "insert \(name)")
                } else if git_treebuilder_get(builder, name) != nil {
                    try GitError.check(git_treebuilder_remove(builder, name), "remove \(name)")
                }
            } else {
                subdirectories[edit.components[depth], default: []].append(edit)
            }
        }
        for (name, group) in subdirectories {
            let name = String(name)
            var subBase: git_oid?
            if let existing = git_treebuilder_get(builder, name), git_tree_entry_type(existing) == GIT_OBJECT_TREE {
                subBase = git_tree_entry_id(existing).pointee
            }
            if var subtree = try build(base: subBase, edits: group[...], depth: depth + 1) {
                try GitError.check(git_treebuilder_insert(nil, builder, name, &subtree, GIT_FILEMODE_TREE),
                                   "insert directory \(name)")
            } else if subBase != nil {
                // The directory was emptied (a same-named file, if any, stays).
                try GitError.check(git_treebuilder_remove(builder, name), "remove directory \(name)")
            }
        }
        if git_treebuilder_entrycount(builder) == 0 { return nil }
        var oid = git_oid()
        try GitError.check(git_treebuilder_write(&oid, builder), "write tree")
        return oid
    }

    /// Paths (of blobs) that differ between two trees, sorted; nil `old` means the empty tree.
    func changedPaths(from old: git_oid?, to new: git_oid) throws(GitError) -> [String] {
        var oldTree: OpaquePointer?
        if var old {
            try GitError.check(git_tree_lookup(&oldTree, pointer, &old), "look up old tree")
        }
        defer { git_tree_free(oldTree) }
        var newID = new
        var newTree: OpaquePointer?
        try GitError.check(git_tree_lookup(&newTree, pointer, &newID), "look up new tree")
        defer { git_tree_free(newTree) }

        var options = git_diff_options()
        try GitError.check(git_diff_options_init(&options, UInt32(GIT_DIFF_OPTIONS_VERSION)), "diff options")
        options.flags = GIT_DIFF_SKIP_BINARY_CHECK.rawValue
        var diff: OpaquePointer?
        try GitError.check(git_diff_tree_to_tree(&diff, pointer, oldTree, newTree, &options), "git_diff_tree_to_tree")
        defer { git_diff_free(diff) }
        var paths: Set<String> = []
        for index in 0..<git_diff_num_deltas(diff) {
            guard let delta = git_diff_get_delta(diff, index) else { continue }
            if let path = delta.pointee.old_file.path { paths.insert(String(cString: path)) }
            if let path = delta.pointee.new_file.path { paths.insert(String(cString: path)) }
        }
        return paths.sorted()
    }
}
