import WebServer

/// Whether a request a browser may have been made to send by another site came from one of our
/// pages. Cookies go with every request to the host whatever page — or port — sent it, so a
/// request that changes state (any method but GET and HEAD) or opens a WebSocket, authenticated
/// by a cookie (the session's, or a token's: `CookieCredentials`), must show where it came from: its `Origin` (browsers send one with
/// every such request from another origin), else its `Referer`, must name this server — the
/// `Host` it was sent to, or a host a domain is configured for. `Sec-Fetch-Site: cross-site`
/// or `same-site` (another port of the same host is same-site) is refused too. A request with
/// none of these headers is no browser's cross-site request. Bearer tokens and API keys are not
/// sent by browsers on their own and need no check. docs/auth.md, "Cross-site requests".
enum SameOrigin {
    /// Why the request is refused, or nil when it may go on.
    static func refusal(_ request: Request, domainHosts: [String]) -> String? {
        if let origin = request.headers["origin"] {
            return matches(origin, request, domainHosts) ? nil : "Origin \(origin) is not this server"
        }
        if let referer = request.headers["referer"] {
            return matches(referer, request, domainHosts) ? nil : "Referer is not this server"
        }
        if let site = request.headers["sec-fetch-site"]?.lowercased(), site == "cross-site" || site == "same-site" {
            return "Sec-Fetch-Site: \(site)"
        }
        return nil
    }

    /// Whether a request needs the check: cookie-authenticated, and not a plain read.
    static func applies(to request: Request, credential: Principal.Credential) -> Bool {
        guard credential == .session || CookieCredentials.authenticatedByCookie(request) else { return false }
        if request.method != .get && request.method != .head { return true }
        return request.headers["upgrade"]?.lowercased() == "websocket"
    }

    /// Whether `url` (`scheme://authority[/…]`) names this server: the request's `Host`
    /// exactly (port included), or a configured domain's host on that port.
    private static func matches(_ url: String, _ request: Request, _ domainHosts: [String]) -> Bool {
        let lower = url.lowercased()
        guard let schemeEnd = lower.range(of: "://"), ["http", "https"].contains(lower[..<schemeEnd.lowerBound]) else { return false }
        let authority = String(lower[schemeEnd.upperBound...].prefix { $0 != "/" && $0 != "?" && $0 != "#" })
        guard !authority.isEmpty, !authority.contains("@") else { return false }
        guard let host = request.headers["host"]?.lowercased() else { return false }
        if authority == host { return true }
        let (name, port) = split(authority)
        return port == split(host).port && domainHosts.contains { $0.lowercased() == name }
    }

    /// Host name and port (`[::1]:80` → `::1`, `80`).
    private static func split(_ authority: String) -> (name: String, port: String?) {
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            let name = String(authority[authority.index(after: authority.startIndex)..<close])
            let rest = authority[authority.index(after: close)...]
            return (name, rest.hasPrefix(":") ? String(rest.dropFirst()) : nil)
        }
        let parts = authority.split(separator: ":", maxSplits: 1)
        return (String(parts.first ?? ""), parts.count == 2 ? String(parts[1]) : nil)
    }
}
