extension Router {
    /// Answers `request` in process, exactly as the server would minus the socket (the same
    /// `RequestPipeline`): routing, 404/405 with `Allow`, the gate, handler errors rendered by
    /// `Accept`, unknown errors as 500. WebSocket routes answer 426. Meant for tests of handlers
    /// and for internal calls.
    public func respond(to request: Request, logger: Logger = Logger(level: .off), errorPage: ErrorPage? = nil) async -> Response {
        var response = await answer(request, logger: logger, errorPage: errorPage)
        addStandardHeaders(to: &response)
        return response
    }

    /// Adds the `standardHeaders` the response does not set itself.
    func addStandardHeaders(to response: inout Response) {
        for field in standardHeaders where !response.headers.contains(field.name) {
            response.headers.add(field.name, field.value)
        }
    }

    private func answer(_ request: Request, logger: Logger, errorPage: ErrorPage?) async -> Response {
        switch RequestPipeline.route(request, router: self, errorPage: errorPage) {
        case .answered(let response):
            return response
        case .immediate(let handler, let request):
            return RequestPipeline.run(handler, request, logger: logger, page: errorPage, observer: observer)
        case .async(let handler, let request):
            return await RequestPipeline.run(handler, request, logger: logger, page: errorPage, observer: observer)
        case .webSocket(_, let request):
            let error = HTTPError(HTTPStatus(426), "this endpoint speaks WebSocket", headers: ["Upgrade": "websocket"])
            let response = ErrorRenderer.response(for: error, requestID: request.id, accept: request.headers["accept"], page: errorPage)
            RequestPipeline.observe(request, response.status, observer)
            return response
        }
    }
}
