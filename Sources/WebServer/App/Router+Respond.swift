extension Router {
    /// Answers `request` in process, exactly as the server would minus the socket: routing,
    /// 404/405 with `Allow`, handler errors rendered by `Accept`, unknown errors as 500.
    /// WebSocket routes answer 426. Meant for tests of handlers and for internal calls.
    public func respond(to request: Request, logger: Logger = Logger(level: .off), errorPage: ErrorPage? = nil) async -> Response {
        var request = request
        let accept = request.headers["accept"]
        switch lookup(method: request.method, path: request.path, segments: request.pathSegments) {
        case .notFound:
            return ErrorRenderer.response(for: HTTPError(.notFound), requestID: request.id, accept: accept, page: errorPage)
        case .methodNotAllowed(let allowed):
            let error = HTTPError(.methodNotAllowed, headers: ["Allow": allowed.joined(separator: ", ")])
            return ErrorRenderer.response(for: error, requestID: request.id, accept: accept, page: errorPage)
        case .found(let action, let parameters, let route):
            request.parameters = parameters
            if let refusal = gate?(&request, route) { return refusal }
            do {
                switch action {
                case .immediate(let handler): return try handler(request)
                case .async(let handler): return try await handler(request)
                case .webSocket:
                    throw HTTPError(HTTPStatus(426), "this endpoint speaks WebSocket", headers: ["Upgrade": "websocket"])
                }
            } catch {
                return Connection.errorResponse(error, request: request, logger: logger, page: errorPage)
            }
        }
    }
}
