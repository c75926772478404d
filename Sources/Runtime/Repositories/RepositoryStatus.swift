import ConfigRepo
import Foundation

/// What the runtime knows of one repository's copy: whether a fetch is running and how far,
/// when the last one ended and how, and the commit of the followed branch.
public struct RepositoryStatus: Sendable, Hashable {
    public var id: String
    public var fetching = false
    /// Progress of the running fetch.
    public var progress: GitFetchProgress?
    /// When the last fetch ended (either way).
    public var lastFetch: Date?
    /// When a fetch last succeeded.
    public var lastSuccess: Date?
    /// The followed branch (the configured one, else the remote's default) and its commit.
    public var branch: String?
    public var head: ObjectID?
    /// Why the last fetch failed, for the repository page; nil after a success.
    public var error: String?
    /// How many fetches ended (a test waits for the next one).
    public var fetchCount = 0

    public init(id: String) { self.id = id }

    /// `fetching`, `failed`, `fetched` or `new` (never fetched).
    public var phase: String {
        if fetching { return "fetching" }
        if error != nil { return "failed" }
        return lastSuccess == nil ? "new" : "fetched"
    }
}
