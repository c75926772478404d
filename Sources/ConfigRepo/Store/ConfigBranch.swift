/// A branch of the configuration repository other than the tracked one: a local branch an
/// engineer pushed (`refs/heads/feature/level-4`) or an upstream branch fetched
/// (`refs/remotes/upstream/main`), as the branches page lists them.
public struct ConfigBranch: Sendable, Hashable {
    /// The full reference name.
    public var reference: String
    /// The commit it points at.
    public var head: ObjectID

    public init(reference: String, head: ObjectID) {
        self.reference = reference
        self.head = head
    }

    /// The name as git prints it: `feature/level-4`, `upstream/main`.
    public var name: String {
        if reference.hasPrefix(Self.localPrefix) { return String(reference.dropFirst(Self.localPrefix.count)) }
        if reference.hasPrefix(Self.remotesPrefix) { return String(reference.dropFirst(Self.remotesPrefix.count)) }
        return reference
    }

    /// Whether it is a fetched upstream branch (read only here: it moves with the upstream).
    public var isUpstream: Bool { reference.hasPrefix(GitUpstream.referencePrefix) }

    /// The subject of its merge commit, as git writes it.
    public var mergeSubject: String {
        isUpstream ? "Merge remote-tracking branch '\(name)'" : "Merge branch '\(name)'"
    }

    static let localPrefix = "refs/heads/"
    static let remotesPrefix = "refs/remotes/"
}
