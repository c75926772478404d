/// An HTTP status code with its reason phrase.
public struct HTTPStatus: Sendable, Hashable, CustomStringConvertible {
    /// The three-digit code.
    public let code: Int
    /// The reason phrase sent on the status line.
    public let reason: String

    /// A status with a custom reason phrase.
    public init(code: Int, reason: String) {
        self.code = code
        self.reason = reason
    }

    /// A status with the standard reason phrase for `code`.
    public init(_ code: Int) {
        self.code = code
        self.reason = HTTPStatus.reasons[code] ?? "Status \(code)"
    }

    public var description: String { "\(code) \(reason)" }

    /// Whether responses with this status never carry a body (1xx, 204, 304).
    public var forbidsBody: Bool { code < 200 || code == 204 || code == 304 }

    /// 101: a WebSocket upgrade (the server writes it; handlers never answer it).
    public static let switchingProtocols = HTTPStatus(101)
    /// 200.
    public static let ok = HTTPStatus(200)
    /// 201.
    public static let created = HTTPStatus(201)
    /// 204.
    public static let noContent = HTTPStatus(204)
    /// 301.
    public static let movedPermanently = HTTPStatus(301)
    /// 302.
    public static let found = HTTPStatus(302)
    /// 303.
    public static let seeOther = HTTPStatus(303)
    /// 304.
    public static let notModified = HTTPStatus(304)
    /// 400.
    public static let badRequest = HTTPStatus(400)
    /// 401.
    public static let unauthorized = HTTPStatus(401)
    /// 403.
    public static let forbidden = HTTPStatus(403)
    /// 404.
    public static let notFound = HTTPStatus(404)
    /// 405.
    public static let methodNotAllowed = HTTPStatus(405)
    /// 408.
    public static let requestTimeout = HTTPStatus(408)
    /// 409.
    public static let conflict = HTTPStatus(409)
    /// 413.
    public static let payloadTooLarge = HTTPStatus(413)
    /// 414.
    public static let uriTooLong = HTTPStatus(414)
    /// 417.
    public static let expectationFailed = HTTPStatus(417)
    /// 422.
    public static let unprocessableContent = HTTPStatus(422)
    /// 431.
    public static let headerFieldsTooLarge = HTTPStatus(431)
    /// 500.
    public static let internalServerError = HTTPStatus(500)
    /// 501.
    public static let notImplemented = HTTPStatus(501)
    /// 503.
    public static let serviceUnavailable = HTTPStatus(503)
    /// 505.
    public static let httpVersionNotSupported = HTTPStatus(505)

    static let reasons: [Int: String] = [
        100: "Continue", 101: "Switching Protocols",
        200: "OK", 201: "Created", 202: "Accepted", 204: "No Content", 206: "Partial Content",
        301: "Moved Permanently", 302: "Found", 303: "See Other", 304: "Not Modified",
        307: "Temporary Redirect", 308: "Permanent Redirect",
        400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
        405: "Method Not Allowed", 406: "Not Acceptable", 408: "Request Timeout", 409: "Conflict",
        410: "Gone", 411: "Length Required", 412: "Precondition Failed", 413: "Content Too Large",
        414: "URI Too Long", 415: "Unsupported Media Type", 417: "Expectation Failed",
        422: "Unprocessable Content", 426: "Upgrade Required", 429: "Too Many Requests",
        431: "Request Header Fields Too Large",
        500: "Internal Server Error", 501: "Not Implemented", 502: "Bad Gateway",
        503: "Service Unavailable", 504: "Gateway Timeout", 505: "HTTP Version Not Supported",
    ]
}
