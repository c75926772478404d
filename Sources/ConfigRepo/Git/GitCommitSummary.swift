import Foundation

/// One commit as a history list shows it: id, subject, author and date.
public struct GitCommitSummary: Sendable, Hashable {
    public var id: ObjectID
    /// The first line of the message.
    public var subject: String
    /// The whole message.
    public var message: String
    public var author: Signature

    public init(id: ObjectID, subject: String, message: String, author: Signature) {
        self.id = id
        self.subject = subject
        self.message = message
        self.author = author
    }
}
