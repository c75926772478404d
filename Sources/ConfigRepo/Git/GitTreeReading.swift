import CGit2

/// One entry found by path in a tree.
struct GitTreeEntry {
    var id: git_oid
    var mode: git_filemode_t
    var isBlob: Bool { git_object_type(for: mode) == GIT_OBJECT_BLOB }
}

private func git_object_type(for mode: git_filemode_t) -> git_object_t {
    switch mode {
    case GIT_FILEMODE_TREE: return GIT_OBJECT_TREE
    case GIT_FILEMODE_COMMIT: return GIT_OBJECT_COMMIT
    default: return GIT_OBJECT_BLOB
    }
}

extension GitRepository {
    /// The entry at `path` (slash-separated) in a tree, or nil when there is none.
    func entry(inTree treeID: git_oid, path: String) throws(GitError) -> GitTreeEntry? {
        try withTree(treeID) { tree throws(GitError) -> GitTreeEntry? in
            var entry: OpaquePointer?
            let code = git_tree_entry_bypath(&entry, tree, path)
            if code == GIT_ENOTFOUND.rawValue { return nil }
            try GitError.check(code, "look up \(path)")
            defer { git_tree_entry_free(entry) }
            return GitTreeEntry(id: git_tree_entry_id(entry).pointee, mode: git_tree_entry_filemode(entry))
        }
    }

    /// The blob id at `path` in a tree; nil when absent or not a file.
    func blobID(inTree treeID: git_oid, path: String) throws(GitError) -> git_oid? {
        guard let entry = try entry(inTree: treeID, path: path), entry.isBlob else { return nil }
        return entry.id
    }

    /// Every blob path and id under a tree, depth first in tree order. Submodule entries
    /// are skipped.
    func listBlobs(inTree rootID: git_oid) throws(GitError) -> [(path: String, id: git_oid)] {
        var result: [(path: String, id: git_oid)] = []
        var pending: [(prefix: String, id: git_oid)] = [("", rootID)]
        while let (prefix, id) = pending.popLast() {
            try withTree(id) { tree throws(GitError) in
                let count = git_tree_entrycount(tree)
                result.reserveCapacity(result.count + count)
                for index in 0..<count {
                    guard let entry = git_tree_entry_byindex(tree, index) else { continue }
                    let name = String(cString: git_tree_entry_name(entry))
                    let path = prefix.isEmpty ? name : prefix + "/" + name
                    switch git_tree_entry_type(entry) {
                    case GIT_OBJECT_BLOB: result.append((path, git_tree_entry_id(entry).pointee))
                    case GIT_OBJECT_TREE: pending.append((path, git_tree_entry_id(entry).pointee))
                    default: continue
                    }
                }
            }
        }
        return result
    }

    /// Every file under a tree with its bytes.
    func readAllFiles(inTree rootID: git_oid) throws(GitError) -> [RepoFile] {
        let blobs = try listBlobs(inTree: rootID)
        var files: [RepoFile] = []
        files.reserveCapacity(blobs.count)
        for blob in blobs {
            files.append(RepoFile(path: blob.path, blob: ObjectID(blob.id), bytes: try readObjectBytes(blob.id)))
        }
        return files
    }
}
