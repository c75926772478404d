/// A commit as the store reports it: id, author (with date), message and parents.
public struct CommitInfo: Sendable, Hashable {
    /// The commit id.
    public var id: ObjectID
    /// Who made it and when (the committer is the same person for our commits).
    public var author: Signature
    /// The full message.
    public var message: String
    /// Parent commit ids, first parent first.
    public var parents: [ObjectID]
    /// True when a write changed nothing, so no commit was made and this is the current head.
    public var isUnchangedHead: Bool

    /// A commit description.
    public init(id: ObjectID, author: Signature, message: String, parents: [ObjectID], isUnchangedHead: Bool = false) {
        self.id = id
        self.author = author
        self.message = message
        self.parents = parents
        self.isUnchangedHead = isUnchangedHead
    }

    /// The first line of the message.
    public var subject: String {
        String(message.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
    }
}
