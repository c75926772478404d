/// Why a request could not be read. Each case has a status; the connection always closes after it.
public enum HTTPParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Malformed syntax or contradictory framing (400).
    case badRequest(String)
    /// The request line is longer than `Limits.maxRequestLineBytes` (414).
    case uriTooLong
    /// The header block is over `Limits.maxHeaderBytes` or `Limits.maxHeaderCount` (431).
    case headerFieldsTooLarge
    /// The body is over `Limits.maxBodyBytes` (413).
    case payloadTooLarge
    /// A transfer coding we do not implement (501).
    case notImplemented(String)
    /// A protocol version other than HTTP/1.x (505).
    case versionNotSupported
    /// An `Expect` value other than `100-continue` (417).
    case expectationFailed

    /// The response status for this error.
    public var status: HTTPStatus {
        switch self {
        case .badRequest: .badRequest
        case .uriTooLong: .uriTooLong
        case .headerFieldsTooLarge: .headerFieldsTooLarge
        case .payloadTooLarge: .payloadTooLarge
        case .notImplemented: .notImplemented
        case .versionNotSupported: .httpVersionNotSupported
        case .expectationFailed: .expectationFailed
        }
    }

    public var description: String {
        switch self {
        case .badRequest(let why): "bad request: \(why)"
        case .uriTooLong: "request line too long"
        case .headerFieldsTooLarge: "header block too large"
        case .payloadTooLarge: "body too large"
        case .notImplemented(let what): "not implemented: \(what)"
        case .versionNotSupported: "HTTP version not supported"
        case .expectationFailed: "unsupported Expect value"
        }
    }
}
