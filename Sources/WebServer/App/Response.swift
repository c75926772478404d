/// What a handler answers: status, headers and a body.
public struct Response: Sendable {
    /// The status line's code and reason.
    public var status: HTTPStatus
    /// Header fields. `Content-Length`, `Date` and `Server` are added by the server.
    public var headers: HTTPHeaders
    /// The body. HEAD, 204 and 304 responses drop it on the wire.
    public var body: [UInt8]
    /// When set (see `stream(status:headers:_:)`), the body comes from this producer and `body` is ignored.
    public var bodyProducer: BodyProducer?

    /// A response with a byte body.
    public init(status: HTTPStatus = .ok, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A `text/plain; charset=utf-8` response.
    public static func text(_ text: String, status: HTTPStatus = .ok) -> Response {
        Response(status: status, headers: ["Content-Type": "text/plain; charset=utf-8"], body: Array(text.utf8))
    }

    /// A `text/html; charset=utf-8` response.
    public static func html(_ html: String, status: HTTPStatus = .ok) -> Response {
        Response(status: status, headers: ["Content-Type": "text/html; charset=utf-8"], body: Array(html.utf8))
    }

    /// An `application/json` response from already-encoded JSON text.
    public static func json(_ json: String, status: HTTPStatus = .ok) -> Response {
        Response(status: status, headers: ["Content-Type": "application/json"], body: Array(json.utf8))
    }

    /// A redirect with `Location`.
    public static func redirect(to location: String, status: HTTPStatus = .seeOther) -> Response {
        Response(status: status, headers: ["Location": location])
    }
}

extension Response {
    /// Produces a body piece by piece; the server sends it with chunked transfer coding
    /// (on HTTP/1.0, delimited by closing the connection).
    public typealias BodyProducer = @Sendable (ResponseBodyWriter) async throws -> Void

    /// A response whose body is written by `producer` while it runs. If it throws after the head
    /// went out, the connection is closed so the client sees a truncated body, not a complete one.
    public static func stream(status: HTTPStatus = .ok, headers: HTTPHeaders = HTTPHeaders(),
                              _ producer: @escaping BodyProducer) -> Response {
        var response = Response(status: status, headers: headers)
        response.bodyProducer = producer
        return response
    }
}
