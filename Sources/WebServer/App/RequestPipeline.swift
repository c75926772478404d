/// The one path every request takes, whether it came over a socket (`Connection`) or in process
/// (`Router.respond`): route lookup → 404, or 405 with `Allow` → path parameters → the gate →
/// the handler → errors mapped to responses (`HTTPError` by `Accept`; anything else a 500 that
/// names only the request id, the error itself going to the log) → the router's observer.
enum RequestPipeline {
    /// A request after routing and the gate: answered already, or a handler to run.
    enum Routed {
        /// Answered without a handler: 404, 405 or the gate's refusal.
        case answered(Response)
        /// Runs on the caller's thread (the event loop for sockets).
        case immediate(ImmediateHandler, Request)
        /// Runs in a task.
        case async(Handler, Request)
        /// A WebSocket endpoint: the connection upgrades (in process: 426).
        case webSocket(WebSocketHandler, Request)
    }

    /// Routes `request` and runs the router's gate on it.
    static func route(_ request: consuming Request, router: Router, errorPage: ErrorPage?) -> Routed {
        if router.observer != nil { request.routedAt = .now }
        let lookup = router.lookup(method: request.method, path: request.path, segments: request.pathSegments)
        guard case .found(let action, let parameters, let route) = lookup else {
            let response = ErrorRenderer.response(for: refusal(lookup) ?? HTTPError(.notFound), requestID: request.id,
                                                  accept: request.headers["accept"], page: errorPage)
            observe(request, response.status, router.observer)
            return .answered(response)
        }
        request.parameters = parameters
        request.route = route
        if let refusal = router.gate?(&request, route) {
            observe(request, refusal.status, router.observer)
            return .answered(refusal)
        }
        switch action {
        case .immediate(let handler): return .immediate(handler, request)
        case .async(let handler): return .async(handler, request)
        case .blockingUnlessReady(let ready, let immediate, let blocking):
            return ready() ? .immediate(immediate, request) : .async(blocking, request)
        case .webSocket(let handler): return .webSocket(handler, request)
        }
    }

    /// The 404, or 405 with `Allow`, of a lookup that found no route; nil when it found one (also
    /// used to refuse an `Expect: 100-continue` body without reading it).
    static func refusal(_ lookup: Router.Lookup) -> HTTPError? {
        switch lookup {
        case .notFound: HTTPError(.notFound)
        case .methodNotAllowed(let allowed): HTTPError(.methodNotAllowed, headers: ["Allow": allowed.joined(separator: ", ")])
        case .found: nil
        }
    }

    /// Runs a handler that answers at once; a thrown error becomes its response.
    static func run(_ handler: ImmediateHandler, _ request: Request, logger: Logger, page: ErrorPage?,
                    observer: RequestObserver?) -> Response {
        let response: Response
        do {
            response = try handler(request)
        } catch {
            response = errorResponse(error, request: request, logger: logger, page: page)
        }
        observe(request, response.status, observer)
        return response
    }

    /// Runs a handler to completion; a thrown error becomes its response.
    static func run(_ handler: Handler, _ request: Request, logger: Logger, page: ErrorPage?, observer: RequestObserver?) async -> Response {
        let response: Response
        do {
            response = try await handler(request)
        } catch {
            response = errorResponse(error, request: request, logger: logger, page: page)
        }
        observe(request, response.status, observer)
        return response
    }

    /// Tells `observer` that `request` was answered with `status`.
    static func observe(_ request: Request, _ status: HTTPStatus, _ observer: RequestObserver?) {
        guard let observer else { return }
        let duration = request.routedAt.map { ContinuousClock.now - $0 } ?? .zero
        observer(AnsweredRequest(method: request.method, route: request.route, status: status, duration: duration))
    }

    /// The response for an error thrown by a handler: its own status for `HTTPError`, else a 500
    /// that names only the request id (the error goes to the log).
    static func errorResponse(_ error: Error, request: Request, logger: Logger, page: ErrorPage?) -> Response {
        if let error = error as? HTTPError {
            return ErrorRenderer.response(for: error, requestID: request.id, accept: request.headers["accept"], page: page)
        }
        logger.log(.error, "request \(request.id) \(request.method) \(request.path) failed: \(error)")
        let hidden = HTTPError(.internalServerError, "internal error (request id \(request.id))")
        return ErrorRenderer.response(for: hidden, requestID: request.id, accept: request.headers["accept"], page: page)
    }
}
