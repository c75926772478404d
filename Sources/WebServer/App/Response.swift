/// What a handler answers: status, headers and a body.
public struct Response: Sendable {
    /// The status line's code and reason.
    public var status: HTTPStatus
    /// Header fields. `Content-Length`, `Date` and `Server` are added by the server.
    public var headers: HTTPHeaders
    /// The body. HEAD, 204 and 304 responses drop it on the wire.
    public var body: [UInt8]

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
