import WebServer

/// The headers every response of `serve` carries (`Router.standardHeaders`): what the browser
/// may load and run on our pages, and who may frame them. docs/auth.md, "Browser headers".
///
/// - `Content-Security-Policy`: scripts only from our own files (no inline script, no `on…=`
///   handler, no `eval`), connections (the live feed's WebSocket) only to us, no plugins, no
///   `<base>`, and no framing (`frame-ancestors 'none'`). Inline `style` stays allowed: a map's
///   SVG may carry style attributes (the map sanitiser checks their URLs), and a style cannot run
///   script. No `form-action`: the consent form's answer redirects to the application's
///   `redirect_uri`, which browsers check against it.
/// - `X-Frame-Options: DENY` for browsers without `frame-ancestors`.
/// - `X-Content-Type-Options: nosniff`: a JSON or text answer is never run as script or style.
/// - `Referrer-Policy: same-origin`: URLs (with ids and queries) do not leave for other sites,
///   and our own forms still send the `Referer` the same-origin check may read.
enum SecurityHeaders {
    static let contentSecurityPolicy = [
        "default-src 'self'", "script-src 'self'", "style-src 'self' 'unsafe-inline'", "img-src 'self' data:",
        "connect-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'",
    ].joined(separator: "; ")

    static var standard: HTTPHeaders {
        var headers = HTTPHeaders()
        headers.add("Content-Security-Policy", contentSecurityPolicy)
        headers.add("X-Frame-Options", "DENY")
        headers.add("X-Content-Type-Options", "nosniff")
        headers.add("Referrer-Policy", "same-origin")
        return headers
    }
}
