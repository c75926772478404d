/// How a request's body is delimited (RFC 9112 §6).
enum BodyFraming: Equatable, Sendable {
    case none
    case length(Int)
    case chunked
}

/// A parsed and validated request line plus header block.
struct RequestHead: Sendable {
    var method: String
    /// The request target exactly as sent.
    var target: String
    var version: HTTPVersion
    /// Header fields, names lowercased.
    var headers: HTTPHeaders
    /// Whether the connection may stay open after this request (before the response has its say).
    var keepAlive: Bool
    var framing: BodyFraming
    /// `Expect: 100-continue` was sent.
    var expectsContinue: Bool
}
