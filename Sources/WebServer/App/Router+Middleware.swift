/// A route as the access policy names it: the method it was added with and its pattern
/// (`GET /api/engine/v2/systems/:id`). HEAD requests match their GET route.
public struct RouteKey: Hashable, Sendable, CustomStringConvertible {
    public var method: HTTPMethod
    public var pattern: String

    public init(_ method: HTTPMethod, _ pattern: String) {
        self.method = method
        self.pattern = pattern
    }

    init(method: HTTPMethod, pattern: String) { self.init(method, pattern) }

    public var description: String { "\(method.rawValue) \(pattern)" }
}

/// Runs before a matched handler (HTTP and WebSocket upgrades alike) with the request and the
/// route that matched: it either lets the request through — attaching who is asking to
/// `request.context` — or answers in its place (401, 403, a redirect to sign-in).
/// Authentication lives here so that handlers only ever read what the gate attached.
///
/// It runs on the event loop, so it must not block: credential checks are in-memory lookups
/// and one RSA verification at most.
public typealias RequestGate = @Sendable (inout Request, RouteKey) -> Response?
