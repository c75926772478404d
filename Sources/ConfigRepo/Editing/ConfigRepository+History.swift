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
    @discardableResult
    public func revert(_ commit: ObjectID, author: Signature) throws(WriteError) -> WriteResult {
        let base: Snapshot
        let plan: RevertPlan
        do {
            base = try headSnapshot()
            plan = try store.revertPlan(commit)
        } catch {
            throw .store(error)
        }
        var replacements: [ObjectRef: ConfigDocument?] = [:]
        for change in plan.changes {
            guard case .object(let ref) = RepoPath(change.path) else { continue }
            let document: ConfigDocument? = change.content.flatMap { try? ConfigDocument.decode($0, ref: ref, version: nil, path: change.path) }
            // A move between flat and sharded is a delete and a put of one object: the put wins.
            if document == nil, replacements[ref] != nil { continue }
            replacements[ref] = .some(document)
        }
        var candidate = base.replacing(replacements)
        let deploymentChange = plan.changes.first { $0.path == RepoPath.deploymentFile }
        if let deploymentChange {
            let file = deploymentChange.content.map { RepoFile(path: RepoPath.deploymentFile, blob: Snapshot.unwrittenVersion, bytes: $0) }
            candidate = candidate.applying([RepoPath.deploymentFile: file], commit: base.commit)
        }
        let affected = Validator.affectedObjects(by: Set(replacements.keys), before: base, after: candidate)
        let before = Set(Validator(snapshot: base).validate(affected))
        var introduced = Validator(snapshot: candidate).validate(affected).filter { !before.contains($0) }
        if deploymentChange != nil {
            let problemsBefore = Set(Validator(snapshot: base).validateDeploymentFile() + base.unreadable.values)
            introduced += (Validator(snapshot: candidate).validateDeploymentFile() + candidate.unreadable.values)
                .filter { !problemsBefore.contains($0) }
        }
        if !introduced.isEmpty { throw .invalid(introduced.sorted()) }
        do {
            let info = try store.commit(plan.changes, author: author, message: plan.message)
            return WriteResult(commit: info, changed: replacements.keys.sorted(), changedDeployment: deploymentChange != nil,
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
}
