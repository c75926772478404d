/// One answered request as a ``RequestObserver`` sees it: no path, no query, no headers (they can
/// carry ids and tokens), only what counting by route needs.
public struct AnsweredRequest: Sendable, Hashable {
    public var method: HTTPMethod
    /// The route that matched (`GET /api/engine/v2/modules/:id/state`); nil when none did (404, 405).
    public var route: RouteKey?
    /// The status sent: 101 for a WebSocket upgrade.
    public var status: HTTPStatus
    /// From routing to the response (or the upgrade): the gate and the handler, not reading the request.
    public var duration: Duration

    public init(method: HTTPMethod, route: RouteKey?, status: HTTPStatus, duration: Duration = .zero) {
        self.method = method
        self.route = route
        self.status = status
        self.duration = duration
    }
}

/// Told of every request the pipeline answers, once, after its status is known
/// (``Router/observer``); requests refused before they parse are not routed and not told. It runs
/// on the thread that answered — an event loop for immediate handlers and refusals — so it must be
/// quick and must not block: count, do not log or write.
public typealias RequestObserver = @Sendable (AnsweredRequest) -> Void
