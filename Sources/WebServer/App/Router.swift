/// A request handler: does its work in Swift concurrency and answers.
public typealias Handler = @Sendable (Request) async throws -> Response
/// A handler that answers without awaiting anything. Added with `immediate:` it runs on the event
/// loop itself: only for quick, non-blocking work (health checks, small static files, benchmarks).
/// Added with `blocking:` it runs on `BlockingWorkers` (git, files, renders).
public typealias ImmediateHandler = @Sendable (Request) throws -> Response
/// A WebSocket handler: runs for the life of the connection.
public typealias WebSocketHandler = @Sendable (WebSocket, Request) async -> Void

/// Maps method and path to handlers. Patterns are literal segments, `:name` parameters and a
/// final `*` that matches the rest (`/backoffice/*`).
///
/// When several patterns match a path, the most specific wins whatever the order they were added
/// in: at the first segment where they differ, a literal beats a parameter, which beats `*`
/// (`/systems/:id/types` before `/systems/:id/:module`).
///
/// Build it before starting the server; it is immutable while serving.
public struct Router: Sendable {
    enum Action: Sendable {
        case async(Handler)
        case immediate(ImmediateHandler)
        /// Immediate while `ready()` says so when the request is routed, else blocking.
        case blockingUnlessReady(ready: @Sendable () -> Bool, immediate: ImmediateHandler, blocking: Handler)
        case webSocket(WebSocketHandler)
    }

    private enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
        case rest

        /// Lower is more specific.
        var rank: Int {
            switch self {
            case .literal: 0
            case .parameter: 1
            case .rest: 2
            }
        }
    }

    private struct Route: Sendable {
        var method: HTTPMethod
        var segments: [Segment]
        var action: Action
        var key: RouteKey
        /// When set, the route matches only paths whose parameters it accepts (`add(_:_:where:blocking:)`).
        var condition: (@Sendable ([String: String]) -> Bool)?
    }

    /// Most specific first (see the type's documentation); among equals, in the order added.
    private var routes: [Route] = []
    private var addedKeys: [RouteKey] = []
    /// Routes without parameters, by path then method, for a quick exact lookup.
    private var exact: [String: [HTTPMethod: (Action, RouteKey)]] = [:]
    /// Runs before every handler (see `RequestGate`); nil lets every request through.
    public var gate: RequestGate?
    /// Told of every answered request with its route and status (see `RequestObserver`): the
    /// application counts requests here without the server knowing about metrics.
    public var observer: RequestObserver?
    /// Fields every HTTP response carries unless it sets the same field itself (the
    /// application's security headers).
    public var standardHeaders = HTTPHeaders()
    /// Every route's method and pattern, in the order they were added.
    public var routeKeys: [RouteKey] { addedKeys }
    /// Path prefixes whose further segments carry credentials (a webhook's secret): the access
    /// log names a request under one of them by the prefix and `/…` only (`loggedPath`).
    public var credentialPathPrefixes: [String] = []

    /// `path` as the access log may write it (see `credentialPathPrefixes`).
    public func loggedPath(_ path: String) -> String {
        for prefix in credentialPathPrefixes where path.hasPrefix(prefix) { return prefix + "/…" }
        return path
    }

    /// An empty router.
    public init() {}

    /// Adds a handler for `method` and `pattern`.
    public mutating func add(_ method: HTTPMethod, _ pattern: String, _ handler: @escaping Handler) {
        insert(method, pattern, .async(handler))
    }

    /// Adds a handler that runs on the event loop without awaiting (see `ImmediateHandler`).
    public mutating func add(_ method: HTTPMethod, _ pattern: String, immediate handler: @escaping ImmediateHandler) {
        insert(method, pattern, .immediate(handler))
    }

    /// Adds a handler that blocks (git, files, renders, password hashing): it runs on
    /// `BlockingWorkers.shared`, off the cooperative pool, while the request's task waits.
    public mutating func add(_ method: HTTPMethod, _ pattern: String, blocking handler: @escaping ImmediateHandler) {
        insert(method, pattern, .async({ request in try await BlockingWorkers.shared.run { try handler(request) } }))
    }

    /// Adds a handler that blocks only now and then (a read answered from memory unless a new
    /// commit must be read first): when `ready()` is true as the request is routed it runs on the
    /// event loop like an immediate handler, saving the hop to `BlockingWorkers`; otherwise it
    /// runs there like a blocking one. `ready` must be quick and never block.
    public mutating func add(_ method: HTTPMethod, _ pattern: String, blockingUnless ready: @escaping @Sendable () -> Bool,
                             _ handler: @escaping ImmediateHandler) {
        insert(method, pattern, .blockingUnlessReady(ready: ready, immediate: handler,
                                                     blocking: { request in try await BlockingWorkers.shared.run { try handler(request) } }))
    }

    /// Adds a blocking handler that matches only while `condition` accepts the path's parameters:
    /// a pattern whose first segment is a parameter (`/:folder/*`, the interface apps) then
    /// leaves every other path unknown (404, not 405) instead of claiming it.
    public mutating func add(_ method: HTTPMethod, _ pattern: String, where condition: @escaping @Sendable ([String: String]) -> Bool,
                             blocking handler: @escaping ImmediateHandler) {
        insert(method, pattern, .async({ request in try await BlockingWorkers.shared.run { try handler(request) } }), condition: condition)
    }

    /// Adds a WebSocket endpoint (a GET with `Upgrade: websocket`).
    public mutating func webSocket(_ pattern: String, _ handler: @escaping WebSocketHandler) {
        insert(.get, pattern, .webSocket(handler))
    }

    /// Adds a `GET` handler for `pattern`.
    public mutating func get(_ pattern: String, _ handler: @escaping Handler) { add(.get, pattern, handler) }
    /// Adds a `POST` handler for `pattern`.
    public mutating func post(_ pattern: String, _ handler: @escaping Handler) { add(.post, pattern, handler) }
    /// Adds a `PUT` handler for `pattern`.
    public mutating func put(_ pattern: String, _ handler: @escaping Handler) { add(.put, pattern, handler) }
    /// Adds a `PATCH` handler for `pattern`.
    public mutating func patch(_ pattern: String, _ handler: @escaping Handler) { add(.patch, pattern, handler) }
    /// Adds a blocking `GET` handler (see `add(_:_:blocking:)`).
    public mutating func get(_ pattern: String, blocking handler: @escaping ImmediateHandler) { add(.get, pattern, blocking: handler) }
    /// Adds a blocking `POST` handler (see `add(_:_:blocking:)`).
    public mutating func post(_ pattern: String, blocking handler: @escaping ImmediateHandler) { add(.post, pattern, blocking: handler) }
    /// Adds a `DELETE` handler for `pattern`.
    public mutating func delete(_ pattern: String, _ handler: @escaping Handler) { add(.delete, pattern, handler) }

    /// Serves files under `directory` at `prefix` (`/backoffice`), GET and HEAD.
    public mutating func mountStatic(_ prefix: String, directory: String) {
        let files = StaticFiles(root: directory, mountPath: prefix)
        let pattern = (prefix.hasSuffix("/") ? String(prefix.dropLast()) : prefix) + "/*"
        add(.get, pattern, immediate: { request in try files.respond(to: request) })
        add(.get, prefix, immediate: { request in try files.respond(to: request) })
    }

    private mutating func insert(_ method: HTTPMethod, _ pattern: String, _ action: Action,
                                 condition: (@Sendable ([String: String]) -> Bool)? = nil) {
        let segments: [Segment] = pattern.split(separator: "/").map { part in
            if part == "*" { return .rest }
            if part.hasPrefix(":") { return .parameter(String(part.dropFirst())) }
            return .literal(String(part))
        }
        let key = RouteKey(method: method, pattern: "/" + pattern.split(separator: "/").joined(separator: "/"))
        let ranks = segments.map(\.rank)
        let position = routes.firstIndex { ranks.lexicographicallyPrecedes($0.segments.map(\.rank)) } ?? routes.endIndex
        routes.insert(Route(method: method, segments: segments, action: action, key: key, condition: condition), at: position)
        addedKeys.append(key)
        if condition == nil, segments.allSatisfy({ if case .literal = $0 { true } else { false } }) {
            let path = "/" + segments.map { if case .literal(let text) = $0 { text } else { "" } }.joined(separator: "/")
            exact[path, default: [:]][method] = (action, key)
        }
    }

    /// The outcome of looking a request up.
    enum Match {
        case found(Action, parameters: [String: String])
        case methodNotAllowed(allowed: [String])
        case notFound
    }

    /// Finds the handler for a method and decoded path segments. HEAD falls back to GET.
    func match(method: HTTPMethod, path: String, segments: [String]) -> Match {
        switch lookup(method: method, path: path, segments: segments) {
        case .found(let action, let parameters, _): .found(action, parameters: parameters)
        case .methodNotAllowed(let allowed): .methodNotAllowed(allowed: allowed)
        case .notFound: .notFound
        }
    }

    /// The outcome of looking a request up, with the matched route's key (for the gate).
    enum Lookup {
        case found(Action, parameters: [String: String], route: RouteKey)
        case methodNotAllowed(allowed: [String])
        case notFound
    }

    /// Like `match`, and names the route that matched.
    func lookup(method: HTTPMethod, path: String, segments: [String]) -> Lookup {
        let trimmedPath = path.utf8.count > 1 && path.utf8.last == UInt8(ascii: "/") ? String(path.dropLast()) : path
        if let byMethod = exact[trimmedPath] {
            if let (action, key) = byMethod[method] ?? (method == .head ? byMethod[.get] : nil) {
                return .found(action, parameters: [:], route: key)
            }
        }
        var allowed: [String] = []
        for route in routes {
            guard let parameters = Self.match(route.segments, segments), route.condition?(parameters) ?? true else { continue }
            if route.method == method || (method == .head && route.method == .get) {
                return .found(route.action, parameters: parameters, route: route.key)
            }
            allowed.append(route.method.rawValue)
            if route.method == .get { allowed.append("HEAD") }
        }
        if allowed.isEmpty { return .notFound }
        var seen = Set<String>()
        return .methodNotAllowed(allowed: allowed.filter { seen.insert($0).inserted })
    }

    private static func match(_ pattern: [Segment], _ segments: [String]) -> [String: String]? {
        var parameters: [String: String] = [:]
        for (index, part) in pattern.enumerated() {
            switch part {
            case .rest:
                return parameters
            case .literal(let text):
                guard index < segments.count, segments[index] == text else { return nil }
            case .parameter(let name):
                guard index < segments.count else { return nil }
                parameters[name] = segments[index]
            }
        }
        return pattern.count == segments.count ? parameters : nil
    }
}
