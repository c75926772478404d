/// What ties a form token to one browser until sessions exist: a random `bo_csrf` cookie.
/// The identity issue replaces `value(in:)` with the session id.
public struct BrowserBinding: Sendable {
    public static let cookieName = "bo_csrf"

    /// The binding the request carries, if any.
    public static func value(in request: Request) -> String? {
        for header in request.headers.values("cookie") {
            for part in header.split(separator: ";") {
                let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                if pair.count == 2, pair[0] == cookieName, pair[1].count == 32, pair[1].allSatisfy(\.isHexDigit) { return pair[1] }
            }
        }
        return nil
    }

    /// The request's binding, or a new one with the `Set-Cookie` value that gives it to the browser.
    public static func resolve(_ request: Request) -> (value: String, setCookie: String?) {
        if let existing = value(in: request) { return (existing, nil) }
        let fresh = CSRFTokens.randomBytes(16).map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
        return (fresh, "\(cookieName)=\(fresh); Path=/backoffice; HttpOnly; SameSite=Strict")
    }
}

import Foundation
