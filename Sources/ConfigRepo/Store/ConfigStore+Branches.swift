/// A branch merge computed but not yet committed, so the validation gate can see it first.
struct MergePlan {
    /// The head the merge was computed on.
    var head: ObjectID
    /// The files to change on top of the head, each expecting the head's version.
    var changes: [FileChange]
}

extension ConfigStore {
    /// Every branch but the tracked one: local branches, then fetched upstream branches.
    public func branches() throws(StoreError) -> [ConfigBranch] {
        try reading {
            let git = try libgit2Handle()
            let local = try git.references(matching: ConfigBranch.localPrefix + "*").filter { $0.name != referenceName }
            let upstream = try git.references(matching: GitUpstream.referencePrefix + "*")
            return (local + upstream).map { ConfigBranch(reference: $0.name, head: $0.target) }
        }
    }

    /// The branch named as git prints it (`feature/level-4`, `upstream/main`), if it exists.
    public func branch(named name: String) throws(StoreError) -> ConfigBranch? {
        try branches().first { $0.name == name }
    }

    /// The best common ancestor of the tracked branch's head and `commit`.
    public func mergeBase(withHead commit: ObjectID) throws(StoreError) -> ObjectID? {
        guard let head = head() else { return nil }
        return try reading { try libgit2Handle().mergeBase(head, commit) }
    }

    /// Whether the tracked branch already holds `commit` (a branch that is merged).
    public func headContains(_ commit: ObjectID) throws(StoreError) -> Bool {
        guard let head = head() else { return false }
        return try reading { try libgit2Handle().contains(commit, in: head) }
    }

    /// Deletes a local branch when it still points at the commit the caller saw; false when
    /// it moved or is gone. Upstream branches are the upstream's: refused (`.invalidPath`).
    public func deleteBranch(_ branch: ConfigBranch) throws(StoreError) -> Bool {
        guard branch.reference.hasPrefix(ConfigBranch.localPrefix), branch.reference != referenceName else {
            throw StoreError.invalidPath(branch.reference)
        }
        return try reading { try libgit2Handle().deleteReference(branch.reference, expected: branch.head) }
    }

    /// What merging `branch` into the current head changes, as `git merge` computes it (in
    /// memory, nothing written); throws `.mergeConflict` when both sides changed the same lines.
    func mergePlan(_ branch: ConfigBranch) throws(StoreError) -> MergePlan {
        try reading {
            guard let head = head() else { throw StoreError.notFound("branch \(referenceName) has no commit") }
            // Never flushed: what the plan computes stays in memory.
            let batch = ObjectBatch(database: objects)
            let headTree = try batch.treeID(ofCommit: head)
            // A libgit2 handle of its own: the merge's writes stay in its memory.
            let merging = try libgit2Handle()
            switch try merging.merge(branch.head, into: head, database: objects) {
            case .conflict(let paths):
                throw StoreError.mergeConflict(paths: paths)
            case .tree(let mergedTree, let newObjects):
                for (_, object) in newObjects { _ = batch.add(object.type, object.bytes) }
                var changes: [FileChange] = []
                for path in try batch.changedPaths(from: headTree, to: mergedTree) {
                    let expected = try batch.blobID(inTree: headTree, path: path).map(ExpectedVersion.version) ?? .absent
                    let content = try batch.blobID(inTree: mergedTree, path: path).map { id throws(GitError) in try batch.read(id).bytes }
                    changes.append(FileChange(path: path, expected: expected, content: content))
                }
                return MergePlan(head: head, changes: changes)
            }
        }
    }
}
