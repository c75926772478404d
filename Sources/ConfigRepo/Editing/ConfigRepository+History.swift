/// History, field diffs and revert of configuration objects.
extension ConfigRepository {
    /// Commits that touched the object's file (where it is now), newest first.
    public func history(of ref: ObjectRef, limit: Int? = nil) throws(StoreError) -> [CommitInfo] {
        try store.history(of: headSnapshot().path(of: ref), limit: limit)
    }

    /// The object as it was in `commit` (nil when it did not exist there), flat or sharded.
    public func document(_ ref: ObjectRef, at commit: ObjectID) throws(StoreError) -> ConfigDocument? {
        let candidates = ref.kind == .metadata ? [ref.path] : [ref.path, ref.shardedPath]
        for path in candidates {
            guard let file = try store.file(at: commit, path: path) else { continue }
            return try? ConfigDocument.decode(file.bytes, ref: ref, version: file.blob, path: path)
        }
        return nil
    }

    /// What `commit` changed in the object: its fields before (first parent) and after.
    public func changes(to ref: ObjectRef, in commit: ObjectID) throws(StoreError) -> [FieldChange] {
        let info = try store.commitInfo(commit)
        let before = try info.parents.first.map { parent throws(StoreError) in try document(ref, at: parent) } ?? nil
        let after = try document(ref, at: commit)
        return FieldDiff.between(before.map { .object($0.members) }, after.map { .object($0.members) })
    }

    /// Field-level differences between two versions (blob ids) of an object.
    public func diff(_ ref: ObjectRef, from old: ObjectID?, to new: ObjectID?) throws(StoreError) -> [FieldChange] {
        func load(_ version: ObjectID?) throws(StoreError) -> JSONValue? {
            guard let version else { return nil }
            return try? JSONParser.parse(try store.blob(version))
        }
        return FieldDiff.between(try load(old), try load(new))
    }

    /// Makes a revert commit of `commit` authored by `author`, after checking that the
    /// resulting configuration is valid. A revert that conflicts with later changes, or
    /// would make the configuration invalid, is refused and nothing is written.
    ///
    /// With a `scope` (a Revert button of one object's or the deployment's history), the commit
    /// must be in that history (`.notInHistory`). With a role (`actingAs`), every file the revert
    /// changes is checked with ``ChangeClearance`` and the revert is refused (`.notPermitted`)
    /// unless the role meets all of it. The command line, an admin's own tool, passes neither.
    @discardableResult
    public func revert(_ commit: ObjectID, author: Signature, scope: RevertScope? = nil,
                       actingAs role: Role? = nil) throws(WriteError) -> WriteResult {
        if let scope {
            let inScope: Bool
            do { inScope = try isInHistory(commit, of: scope) } catch { throw .store(error) }
            guard inScope else { throw .notInHistory(commit: commit, scope: scope) }
        }
        let base: Snapshot
        let plan: RevertPlan
        do {
            base = try headSnapshot()
            plan = try store.revertPlan(commit)
        } catch {
            throw .store(error)
        }
        // The tree the revert makes, read as the store will read it after the commit (a file
        // that does not read as its kind is a problem, not a deletion).
        var files: [String: RepoFile?] = [:]
        for change in plan.changes {
            files[change.path] = .some(change.content.map { RepoFile(path: change.path, blob: Snapshot.unwrittenVersion, bytes: $0) })
        }
        let candidate = base.applying(files, commit: base.commit)
        let changedPaths = plan.changes.map(\.path)
        if let role {
            let refused = ChangeClearance.forTrees(before: base, after: candidate, paths: changedPaths).unmet(by: role)
            if !refused.isEmpty { throw .notPermitted(refused) }
        }
        let objects = Set(changedPaths.compactMap { path -> ObjectRef? in if case .object(let ref) = RepoPath(path) { ref } else { nil } })
        let deploymentChanged = changedPaths.contains(RepoPath.deploymentFile)
        let affected = Validator.affectedObjects(by: objects, before: base, after: candidate)
        let before = Set(Validator(snapshot: base).validate(affected))
        var introduced = Validator(snapshot: candidate).validate(affected).filter { !before.contains($0) }
        let unreadableBefore = Set(base.unreadable.values)
        introduced += changedPaths.compactMap { candidate.unreadable[$0] }.filter { !unreadableBefore.contains($0) }
        if deploymentChanged {
            let problemsBefore = Set(Validator(snapshot: base).validateDeploymentFile())
            introduced += Validator(snapshot: candidate).validateDeploymentFile().filter { !problemsBefore.contains($0) }
        }
        if !introduced.isEmpty { throw .invalid(Array(Set(introduced)).sorted()) }
        do {
            let info = try store.commit(plan.changes, author: author, message: plan.message)
            return WriteResult(commit: info, changed: objects.sorted(), changedDeployment: deploymentChanged,
                               snapshot: try headSnapshot())
        } catch .conflict(let path, let expected, _) {
            let ref = RepoPath(path)
            if case .object(let ref) = ref {
                let basedOn: ObjectID? = if case .version(let id) = expected { id } else { nil }
                throw .conflict(ref: ref, basedOn: basedOn, current: try? headSnapshot().document(ref))
            }
            throw .store(.revertConflict(paths: [path]))
        } catch {
            throw .store(error)
        }
    }

    /// The files reverting `commit` would change on top of the current head (nothing is
    /// written); throws `.revertConflict` when later commits changed the same lines.
    public func revertEffect(_ commit: ObjectID) throws(StoreError) -> RevertEffect {
        RevertEffect(paths: try store.revertPlan(commit).changes.map(\.path).sorted())
    }

    /// Whether `commit` is in the history `scope`'s page shows: a commit of the tracked
    /// branch's first-parent line that changed the object's file (where it is now) or
    /// `backoffice.json`. An id that names no commit is in no history.
    public func isInHistory(_ commit: ObjectID, of scope: RevertScope) throws(StoreError) -> Bool {
        let path = switch scope {
        case .object(let ref): try headSnapshot().path(of: ref)
        case .deployment: RepoPath.deploymentFile
        }
        // Cheap first: did the commit change the file at all?
        guard let info = try? store.commitInfo(commit) else { return false }
        let after = try store.file(at: commit, path: path)?.blob
        let before = try info.parents.first.map { parent throws(StoreError) in try store.file(at: parent, path: path)?.blob } ?? nil
        guard after != before else { return false }
        return try store.history(of: path).contains { $0.id == commit }
    }
}
