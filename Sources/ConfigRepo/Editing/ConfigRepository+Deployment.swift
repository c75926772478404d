/// History and field diffs of `backoffice.json`, the deployment file (edited with
/// `Edit.saveDeployment`, reverted with `revert(_:author:)` like any commit).
extension ConfigRepository {
    /// Commits that touched `backoffice.json`, newest first.
    public func deploymentHistory(limit: Int? = nil) throws(StoreError) -> [CommitInfo] {
        try store.history(of: RepoPath.deploymentFile, limit: limit)
    }

    /// `backoffice.json` as it was in `commit` (nil when absent or unreadable there).
    public func deployment(at commit: ObjectID) throws(StoreError) -> DeploymentFile? {
        guard let file = try store.file(at: commit, path: RepoPath.deploymentFile) else { return nil }
        return try? DeploymentFile.decode(file.bytes, version: file.blob)
    }

    /// What `commit` changed in `backoffice.json`: its fields before (first parent) and after.
    public func deploymentChanges(in commit: ObjectID) throws(StoreError) -> [FieldChange] {
        let info = try store.commitInfo(commit)
        let before = try info.parents.first.map { parent throws(StoreError) in try deployment(at: parent) } ?? nil
        let after = try deployment(at: commit)
        return FieldDiff.between(before.map { .object($0.members) }, after.map { .object($0.members) })
    }

    /// Field-level differences between two versions (blob ids) of `backoffice.json`. A version
    /// that is not a deployment file (the id comes from a form) counts as no file.
    public func deploymentDiff(from old: ObjectID?, to new: ObjectID?) throws(StoreError) -> [FieldChange] {
        func load(_ version: ObjectID?) throws(StoreError) -> JSONValue? {
            guard let version else { return nil }
            let bytes = try store.blob(version)
            return (try? DeploymentFile.decode(bytes, version: version)).map { .object($0.members) }
        }
        return FieldDiff.between(try load(old), try load(new))
    }
}

extension Snapshot {
    /// The blob id a not-yet-written file carries in a candidate snapshot (validation only).
    static let unwrittenVersion = ObjectID(hex: String(repeating: "0", count: 40))!

    /// The snapshot with `backoffice.json` replaced in memory, for validating a write before
    /// it is committed.
    func replacingDeployment(_ file: DeploymentFile) -> Snapshot {
        let written = RepoFile(path: RepoPath.deploymentFile, blob: Self.unwrittenVersion, bytes: file.canonicalBytes)
        return applying([RepoPath.deploymentFile: written], commit: commit)
    }

    /// The snapshot with level maps replaced in memory (by file name), for validating a write.
    func replacingMaps(_ maps: [String: [UInt8]]) -> Snapshot {
        var files: [String: RepoFile?] = [:]
        for (name, bytes) in maps { files[RepoPath.mapPath(name)] = RepoFile(path: RepoPath.mapPath(name), blob: Self.unwrittenVersion, bytes: bytes) }
        return applying(files, commit: commit)
    }
}
