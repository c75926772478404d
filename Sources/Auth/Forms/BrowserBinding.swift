/// What ties a form token to one signed-in browser: its session id (`Principal.sessionID`), so a
/// token taken from one session is refused in any other. Only when no access gate runs
/// (`serve --auth off`, every request the local administrator, no sessions) a random `bo_csrf`
/// cookie stands in for the session. Bearer tokens and API keys have no binding: they cannot
/// post the site's forms.
public enum BrowserBinding {
    public static let cookieName = "bo_csrf"

    /// The binding the request carries, if any.
    public static func value(in request: Request) -> String? {
        let principal = request.principal
        switch principal.credential {
        case .session: return principal.sessionID.map { "session:" + $0 }
        case .local: return cookieValue(in: request).map { "browser:" + $0 }
        case .none, .bearerToken, .apiKey: return nil
        }
    }

    /// The request's binding, or for the local mode a new cookie with the `Set-Cookie` value
    /// that gives it to the browser; nil when the request cannot have one.
    public static func resolve(_ request: Request) -> (value: String?, setCookie: String?) {
        if let existing = value(in: request) { return (existing, nil) }
        guard request.principal.credential == .local else { return (nil, nil) }
        let fresh = SecureRandom.hex(16)
        return ("browser:" + fresh, "\(cookieName)=\(fresh); Path=/backoffice; HttpOnly; SameSite=Strict")
    }

    private static func cookieValue(in request: Request) -> String? {
        for header in request.headers.values("cookie") {
            for part in header.split(separator: ";") {
                let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                if pair.count == 2, pair[0] == cookieName, pair[1].count == 32, pair[1].allSatisfy(\.isHexDigit) { return pair[1] }
            }
        }
        return nil
    }
}

import Crypto
import Foundation
import WebServer
