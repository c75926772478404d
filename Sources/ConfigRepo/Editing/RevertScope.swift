/// The history a revert is asked from: an object's (its page's Revert buttons) or the
/// deployment file's. A revert names a commit of that history and nothing else.
public enum RevertScope: Sendable, Hashable, CustomStringConvertible {
    case object(ObjectRef)
    case deployment

    public var description: String {
        switch self {
        case .object(let ref): "\(ref)"
        case .deployment: RepoPath.deploymentFile
        }
    }
}

/// The files a revert would change on top of the current head, before it is made.
public struct RevertEffect: Sendable, Hashable {
    /// Every path the revert commit would add, change or delete, sorted.
    public var paths: [String]
    /// The objects among them.
    public var objects: [ObjectRef] {
        paths.compactMap { if case .object(let ref) = RepoPath($0) { ref } else { nil } }
    }
    /// Whether `backoffice.json` is among them.
    public var changesDeployment: Bool { paths.contains(RepoPath.deploymentFile) }
}
