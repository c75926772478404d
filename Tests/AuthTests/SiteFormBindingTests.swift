import ConfigRepo
import Foundation
import Testing
@testable import Auth
@testable import WebServer

/// Site form tokens are bound to the session: a token made in one session is refused in another.
@Suite struct SiteFormBindingTests {
    let tokens = CSRFTokens(key: [UInt8](repeating: 3, count: 32))

    func request(_ principal: Principal, cookie: String? = nil) throws -> Request {
        var headers = HTTPHeaders()
        if let cookie { headers.add("cookie", cookie) }
        var request = try Request(method: .get, target: "/backoffice/systems/new", headers: headers)
        request.principal = principal
        return request
    }

    func session(_ id: String, user: String = "user-admin") -> Principal {
        Principal(userID: user, name: "", email: "", role: .admin, sessionID: id, credential: .session)
    }

    @Test func aTokenOfOneSessionIsRefusedInAnother() throws {
        let purpose = "/backoffice/systems/new"
        let first = try #require(BrowserBinding.resolve(try request(session("session-one"))).value)
        let token = tokens.token(binding: first, purpose: purpose)
        #expect(tokens.isValid(token, binding: BrowserBinding.value(in: try request(session("session-one"))), purpose: purpose))
        #expect(!tokens.isValid(token, binding: BrowserBinding.value(in: try request(session("session-two"))), purpose: purpose))
        // The same user signed in twice still has two sessions.
        #expect(!tokens.isValid(token, binding: BrowserBinding.value(in: try request(session("session-three", user: "user-admin"))),
                                purpose: purpose))
        #expect(!tokens.isValid(token, binding: first, purpose: "/backoffice/drivers/new"))
    }

    @Test func sessionsIgnoreTheBrowserCookieAndGetNone() throws {
        let signedIn = try request(session("s1"), cookie: "bo_csrf=" + String(repeating: "a", count: 32))
        let resolved = BrowserBinding.resolve(signedIn)
        #expect(resolved.setCookie == nil && resolved.value == "session:s1")
    }

    @Test func onlyTheLocalModeUsesTheCookie() throws {
        let cookie = "bo_csrf=" + String(repeating: "b", count: 32)
        #expect(BrowserBinding.value(in: try request(.localAdmin, cookie: cookie)) == "browser:" + String(repeating: "b", count: 32))
        let fresh = BrowserBinding.resolve(try request(.localAdmin))
        #expect(fresh.setCookie?.hasPrefix("bo_csrf=") == true && fresh.value?.hasPrefix("browser:") == true)
        // A cookie cannot stand in for a session's binding: its value names another namespace.
        #expect(BrowserBinding.value(in: try request(.localAdmin, cookie: cookie)) != BrowserBinding.value(in: try request(session(String(repeating: "b", count: 32)))))
        let key = Principal(userID: "user-admin", name: "", email: "", role: .admin, scopes: ["public"], credential: .apiKey)
        #expect(BrowserBinding.resolve(try request(key, cookie: cookie)).value == nil)
        #expect(BrowserBinding.resolve(try request(.anonymous, cookie: cookie)).value == nil)
    }
}
