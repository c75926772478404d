/// One change a user asks for; a list of edits becomes one commit.
public enum Edit: Sendable {
    /// Create or replace an object. The document's `version` is the version the user saw:
    /// nil means "create" (refused if the object exists meanwhile).
    case save(ConfigDocument)
    /// Replace an object whatever its current version (imports, engineers' tools).
    case overwrite(ConfigDocument)
    /// Delete an object seen at `version` (nil: whatever version), with its cascade.
    case delete(ObjectRef, version: ObjectID?)
    /// Replace `backoffice.json` with the file's members. Its `version` is the version the
    /// user saw: nil means "there was no file" (refused if one exists meanwhile).
    case saveDeployment(DeploymentFile)
    /// Create or replace the level map `maps/<name>` (`name` ends in `.svg`) with `svg`, as given:
    /// the caller sanitises it. Changing a map needs support (`ChangeClearance.forFile`).
    case saveMap(name: String, svg: [UInt8])
}

/// Why a write was refused. Nothing was committed.
public enum WriteError: Error, Sendable, CustomStringConvertible {
    /// The object changed since the user saw it; `current` is what it is now (nil: deleted).
    case conflict(ref: ObjectRef, basedOn: ObjectID?, current: ConfigDocument?)
    /// `backoffice.json` changed since the user saw it; `current` is what it is now (nil: absent).
    case deploymentConflict(basedOn: ObjectID?, current: DeploymentFile?)
    /// The write would leave the configuration invalid.
    case invalid([ValidationProblem])
    /// An object to edit or delete does not exist.
    case notFound(ObjectRef)
    /// Secrets must be encrypted but no deployment secret is available.
    case secretsUnavailable(String)
    /// The writer may not change this object (one the write would change, cascades included).
    case forbidden(ObjectRef)
    /// The acting role may not make part of the change (``ChangeClearance``): what it lacks.
    case notPermitted([ClearanceRequirement])
    /// A revert named a commit that is not in the history it was asked from.
    case notInHistory(commit: ObjectID, scope: RevertScope)
    /// The git store failed.
    case store(StoreError)

    public var description: String {
        switch self {
        case let .conflict(ref, _, current):
            current == nil
                ? "\(ref) was deleted by someone else since you opened it"
                : "\(ref) was changed by someone else since you opened it"
        case let .deploymentConflict(_, current):
            current == nil
                ? "\(RepoPath.deploymentFile) was removed by someone else since you opened it"
                : "\(RepoPath.deploymentFile) was changed by someone else since you opened it"
        case let .invalid(problems): problems.map(\.description).joined(separator: "\n")
        case let .notFound(ref): "\(ref) does not exist"
        case let .secretsUnavailable(reason): "cannot encrypt secrets: \(reason)"
        case let .forbidden(ref): "you may not change \(ref)"
        case let .notPermitted(requirements): requirements.map(\.description).joined(separator: "\n")
        case let .notInHistory(commit, scope): "commit \(commit.short) is not in the history of \(scope)"
        case let .store(error): error.description
        }
    }
}

/// What a successful write did.
public struct WriteResult: Sendable {
    /// The new commit (or the unchanged head when the edits changed nothing).
    public var commit: CommitInfo
    /// Every object the commit created, changed or deleted (cascades included).
    public var changed: [ObjectRef]
    /// Whether the commit changed `backoffice.json`.
    public var changedDeployment: Bool = false
    /// The snapshot of the new head.
    public var snapshot: Snapshot
}
