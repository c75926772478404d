import WebServer

/// PlaceOS's browser clients may keep their credential in a cookie: `bearer_token` (an access
/// token) or `api-key` (an API key), read after the header and query forms. A browser sends
/// cookies with requests other sites make it send, so a request authenticated by one of these
/// must pass the same-origin check like a session's (`SameOrigin`). docs/auth.md, "Credentials".
enum CookieCredentials {
    static let bearerToken = "bearer_token"
    static let apiKey = "api-key"

    /// Whether the request's credential came from a token cookie: it carries one, and no
    /// header or query credential (which `authenticate` reads first).
    static func authenticatedByCookie(_ request: Request) -> Bool {
        guard request.headers["authorization"] == nil, request.headers["x-api-key"] == nil,
              request.query("bearer_token") == nil, request.query("api-key") == nil else { return false }
        return [bearerToken, apiKey].contains { Cookies.value($0, in: request.headers)?.isEmpty == false }
    }
}
