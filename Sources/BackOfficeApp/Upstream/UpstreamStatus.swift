import ConfigRepo
import Foundation

/// What the deployment knows of its upstream, for the deployment page and
/// `GET /api/engine/v2/upstream` (admins).
public struct UpstreamStatus: Sendable {
    /// An upstream head that was fetched and not applied, and why.
    public struct Refusal: Sendable, Equatable {
        public var commit: ObjectID
        public var author: String
        public var subject: String
        public var reason: String
        /// Validation problems, when the head is refused for them.
        public var problems: [ValidationProblem]
    }

    public var url: String
    public var branch: String
    public var lastFetch: Date?
    /// The upstream branch's commit at the last fetch.
    public var upstreamHead: ObjectID?
    /// The last upstream commit taken (fast-forwarded to, or found in our branch).
    public var synced: ObjectID?
    /// Commits on our branch the upstream does not have, and the other way round.
    public var ahead = 0
    public var behind = 0
    public var lastError: String?
    public var refusal: Refusal?

    public var json: JSONValue {
        var members: [String: JSONValue] = [
            "url": .string(url), "branch": .string(branch),
            "last_fetch": lastFetch.map { .string(ISO8601DateFormatter().string(from: $0)) } ?? .null,
            "upstream_head": upstreamHead.map { .string($0.hex) } ?? .null,
            "synced": synced.map { .string($0.hex) } ?? .null,
            "ahead": .int(ahead), "behind": .int(behind),
            "last_error": lastError.map(JSONValue.string) ?? .null,
        ]
        members["refused"] = refusal.map { refusal in
            .object(["commit": .string(refusal.commit.hex), "author": .string(refusal.author), "subject": .string(refusal.subject),
                     "reason": .string(refusal.reason),
                     "problems": .array(refusal.problems.map { .string($0.description) })])
        } ?? .null
        return .object(members)
    }
}
