import ConfigRepo
import Synchronization
import WebServer

/// `POST /api/engine/v2/upstream/webhook`: a push notice from the upstream's git host
/// (GitHub, GitLab or Gitea; ``UpstreamWebhookSignature``). A public route: the signature
/// is the credential. The payload is never trusted beyond "look now": the follower fetches
/// and gates whatever the upstream really holds (as Argo CD does).
///
/// - no or wrong signature: 401, logged (the host and the peer, never the body);
/// - a delivery id seen before: 409 (a replay; the last 1,024 ids are remembered);
/// - more than `burst` calls at once, refilled at `perSecond` (forged ones counted apart, so a
///   flood of forgeries cannot lock the real host out): 429 with `Retry-After`;
/// - otherwise 202, and a fetch is queued.
public struct UpstreamWebhook: Feature {
    public static let path = "/api/engine/v2/upstream/webhook"
    /// The upstream's state, for admins.
    public static let statusPath = "/api/engine/v2/upstream"

    let follower: UpstreamFollower
    let limiter: WebhookRateLimiter
    let log: @Sendable (String) -> Void
    private let deliveries = RecentDeliveries(limit: 1024)

    public init(follower: UpstreamFollower, log: @escaping @Sendable (String) -> Void = { _ in }) {
        self.follower = follower
        self.log = log
        limiter = WebhookRateLimiter(perSecond: 5, burst: 20)
    }

    public func mount(on router: inout Router) {
        router.post(Self.path) { [self] request in receive(request) }
        router.get(Self.statusPath) { [follower] _ in .json(JSONWriter.compactString(follower.status.json)) }
    }

    func receive(_ request: Request) -> Response {
        guard let secret = follower.settings.webhookSecret else {
            return Self.plain(.forbidden, "no webhook secret is configured for the upstream (docs/git-workflows.md)")
        }
        switch UpstreamWebhookSignature.verify(headers: request.headers, body: request.body, secret: secret) {
        case .unsigned, .forged:
            if let wait = limiter.admit("refused") { return Self.tooMany(wait) }
            let verdict = UpstreamWebhookSignature.verify(headers: request.headers, body: request.body, secret: secret)
            log("upstream webhook refused from \(request.peerAddress): \(verdict == .unsigned ? "no signature header" : "wrong signature (\(verdict))")")
            return Self.plain(.unauthorized, verdict == .unsigned
                ? "no signature: send X-Hub-Signature-256 (GitHub), X-Gitea-Signature (Gitea) or X-Gitlab-Token (GitLab)"
                : "the signature does not match the webhook secret")
        case .verified(let host, let delivery):
            if let wait = limiter.admit("verified") { return Self.tooMany(wait) }
            if let delivery, !deliveries.insert(delivery) {
                log("upstream webhook refused: \(host.rawValue) delivery \(delivery) was already received (replay)")
                return Self.plain(.conflict, "delivery \(delivery) was already received")
            }
            follower.requestSync()
            return Self.plain(HTTPStatus(202), "fetching \(follower.settings.branch) from the upstream")
        }
    }

    private static func plain(_ status: HTTPStatus, _ text: String) -> Response {
        .json(JSONWriter.compactString(.object(["message": .string(text)])), status: status)
    }

    private static func tooMany(_ wait: Double) -> Response {
        var response = plain(HTTPStatus(429), "too many webhook calls")
        response.headers.set("Retry-After", String(max(1, Int(wait.rounded(.up)))))
        return response
    }
}

/// The delivery ids seen most recently (at most `limit`), oldest first out.
final class RecentDeliveries: Sendable {
    private struct Seen {
        var order: [String] = []
        var ids: Set<String> = []
    }

    let limit: Int
    private let seen = Mutex(Seen())

    init(limit: Int) { self.limit = limit }

    /// Adds `id`; false when it was there already.
    func insert(_ id: String) -> Bool {
        seen.withLock { seen in
            guard seen.ids.insert(id).inserted else { return false }
            seen.order.append(id)
            if seen.order.count > limit { seen.ids.remove(seen.order.removeFirst()) }
            return true
        }
    }
}
