import Foundation

/// Who made a commit: the signed-in user for form and REST writes.
public struct Signature: Sendable, Hashable {
    public var name: String
    public var email: String
    /// When; nil means "now" at commit time.
    public var date: Date?

    public init(name: String, email: String, date: Date? = nil) {
        self.name = name
        self.email = email
        self.date = date
    }

    /// The deployment itself, author of `init` and of automatic commits.
    public static let backoffice = Signature(name: "BackOffice", email: "backoffice@localhost")
}
