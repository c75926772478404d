extension ObjectReader {
    /// The entry at `path` (slash-separated) under tree `root`, or nil when there is none.
    func entry(inTree root: ObjectID, path: String) throws(GitError) -> RawTreeEntry? {
        var tree = root
        let components = path.split(separator: "/", omittingEmptySubsequences: false)
        for (depth, name) in components.enumerated() {
            guard let entry = try GitTree(tree, from: self).entry(named: name) else { return nil }
            if depth == components.count - 1 { return entry }
            guard entry.isTree else { return nil }
            tree = entry.id
        }
        return nil
    }

    /// The blob id at `path` under tree `root`; nil when absent or not a file.
    func blobID(inTree root: ObjectID, path: String) throws(GitError) -> ObjectID? {
        guard let entry = try entry(inTree: root, path: path), entry.isBlob else { return nil }
        return entry.id
    }

    /// Every blob path and id under a tree: a tree's files, then its subtrees (last first),
    /// each in the same way. Submodule entries are skipped.
    func listBlobs(inTree root: ObjectID) throws(GitError) -> [(path: String, id: ObjectID)] {
        var result: [(path: String, id: ObjectID)] = []
        var pending: [(prefix: String, id: ObjectID)] = [("", root)]
        while let (prefix, id) = pending.popLast() {
            try GitTree(id, from: self).forEach { mode, name, entryID in
                let path = prefix.isEmpty ? String(decoding: name, as: UTF8.self) : prefix + "/" + String(decoding: name, as: UTF8.self)
                if mode == RawTreeEntry.directoryMode {
                    pending.append((path, entryID))
                } else if mode != RawTreeEntry.submoduleMode {
                    result.append((path, entryID))
                }
                return true
            }
        }
        return result
    }

    /// Every file under a tree with its bytes, in ``listBlobs(inTree:)`` order.
    func readAllFiles(inTree root: ObjectID) throws(GitError) -> [RepoFile] {
        try listBlobs(inTree: root).map { blob throws(GitError) in
            RepoFile(path: blob.path, blob: blob.id, bytes: try read(blob.id).bytes)
        }
    }

    /// Paths (of blobs) that differ between two trees, sorted; nil `old` means the empty tree.
    ///
    /// Walks both trees in step and descends only into subtrees whose ids differ, so a commit
    /// that changed one file costs a handful of tree reads however large the repository.
    func changedPaths(from old: ObjectID?, to new: ObjectID) throws(GitError) -> [String] {
        var paths: [String] = []
        try collectChanges(old, new, prefix: "", into: &paths)
        return paths.sorted()
    }

    private func collectChanges(_ old: ObjectID?, _ new: ObjectID?, prefix: String, into paths: inout [String]) throws(GitError) {
        if old == new { return }
        let before = try old.map { id throws(GitError) in try GitTree(id, from: self) }
        let after = try new.map { id throws(GitError) in try GitTree(id, from: self) }
        var subtrees: [(String, ObjectID?, ObjectID?)] = []
        try GitTree.differences(before, after) { name, was, now in
            let path = prefix + String(decoding: name, as: UTF8.self)
            if was?.isTree == true || now?.isTree == true {
                subtrees.append((path, was?.id, now?.id))
            } else {
                paths.append(path)
            }
        }
        for (path, was, now) in subtrees { try collectChanges(was, now, prefix: path + "/", into: &paths) }
    }
}
