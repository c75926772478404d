/// An error a handler throws to answer with a status: rendered as JSON or HTML by `Accept`.
///
/// Any other error thrown by a handler becomes a 500 whose body names only the request id;
/// the details go to the log.
public struct HTTPError: Error, Sendable, CustomStringConvertible {
    /// The response status.
    public var status: HTTPStatus
    /// A message safe to show the client.
    public var message: String
    /// Extra response headers (`Allow`, `WWW-Authenticate`…).
    public var headers: HTTPHeaders

    /// An error with a status and a client-facing message.
    public init(_ status: HTTPStatus, _ message: String? = nil, headers: HTTPHeaders = HTTPHeaders()) {
        self.status = status
        self.message = message ?? status.reason
        self.headers = headers
    }

    public var description: String { "\(status): \(message)" }
}
