#if canImport(Glibc)
import Glibc
#endif
import ConfigRepo
import Testing
@testable import Auth
@testable import WebServer
import Crypto

@Suite struct AuthSignInTests {
    /// GET the form, then POST it with the CSRF cookie and field.
    func signIn(_ bed: AuthTestbed, email: String, password: String, continueURL: String = "/backoffice/systems",
                extraCookie: String? = nil, csrfOverride: String? = nil) async throws -> Response {
        let form = try await bed.send(.get, "/auth/signin")
        #expect(form.status == .ok && form.text.contains("name=\"password\""))
        let csrf = try #require(form.cookie("bo_signin_csrf"))
        var cookies = "bo_signin_csrf=" + csrf
        if let extraCookie { cookies += "; " + extraCookie }
        return try await bed.send(.post, "/auth/signin", headers: [("cookie", cookies)],
                                  form: ["email": email, "password": password, "continue": continueURL, "csrf": csrfOverride ?? csrf])
    }

    @Test func signInPageIsTheSiteTemplateWithTheSiteStylesheet() async throws {
        let bed = try AuthTestbed()
        let page = try await bed.send(.get, "/auth/signin?continue=%2Fbackoffice%2F%22%3E")
        #expect(page.status == .ok)
        #expect(page.text.contains("href=\"/backoffice/assets/site.css\"") && page.text.contains("class=\"panel auth\""))
        #expect(page.text.contains("name=\"csrf\"") && !page.text.contains("\">\"") && !page.text.contains("<style>"))
    }

    @Test func signInRotatesTheSessionAndSetsSafeCookies() async throws {
        let bed = try AuthTestbed()
        let planted = "bo_session=" + SecureRandom.token(32)
        let old = bed.sessionCookie("user-plain")
        let response = try await signIn(bed, email: "ADA@test.example", password: AuthTestbed.password, extraCookie: old)
        #expect(response.status == .seeOther && response.headers["location"] == "/backoffice/systems")
        let setCookie = try #require(response.headers.values("set-cookie").first { $0.hasPrefix("bo_session=") })
        #expect(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Lax") && !setCookie.contains("Secure"))
        let session = try #require(response.cookie("bo_session"))
        #expect("bo_session=" + session != old && "bo_session=" + session != planted)
        // The session that was there before is gone (fixation): only the fresh id works.
        var request = try bed.request(.get, "/", headers: [("cookie", old)])
        #expect(bed.service.authenticate(request) == .refused(reason: "unknown or expired session"))
        request = try bed.request(.get, "/", headers: [("cookie", "bo_session=" + session)])
        guard case .authenticated(let principal) = bed.service.authenticate(request) else { Issue.record("no session"); return }
        #expect(principal.userID == "user-admin" && principal.sessionID == session && principal.credential == .session)
        // A planted, unknown id is never adopted.
        request = try bed.request(.get, "/", headers: [("cookie", planted)])
        #expect(bed.service.authenticate(request) == .refused(reason: "unknown or expired session"))
        // Over TLS (the proxy says so), the cookie is Secure.
        let form = try await bed.send(.get, "/auth/signin")
        let csrf = try #require(form.cookie("bo_signin_csrf"))
        let secure = try await bed.send(.post, "/auth/signin", headers: [("cookie", "bo_signin_csrf=" + csrf), ("x-forwarded-proto", "https")],
                                        form: ["email": "ada@test.example", "password": AuthTestbed.password, "csrf": csrf])
        #expect(secure.headers.values("set-cookie").first { $0.hasPrefix("bo_session=") }?.contains("; Secure") == true)
    }

    @Test func wrongPasswordUnknownUserAndOtherDomainLookTheSame() async throws {
        let bed = try AuthTestbed()
        let wrong = try await signIn(bed, email: "ada@test.example", password: "nope nope nope")
        let unknown = try await signIn(bed, email: "nobody@test.example", password: "nope nope nope")
        let foreign = try await signIn(bed, email: "fay@other.example", password: AuthTestbed.password)
        for response in [wrong, unknown, foreign] {
            #expect(response.status == .unauthorized)
            #expect(response.text.contains("Wrong email or password."))
            #expect(response.cookie("bo_session") == nil)
        }
    }

    @Test func missingOrWrongCSRFIsRefused() async throws {
        let bed = try AuthTestbed()
        let wrong = try await signIn(bed, email: "ada@test.example", password: AuthTestbed.password, csrfOverride: "forged")
        #expect(wrong.status == .forbidden && wrong.cookie("bo_session") == nil)
        let missing = try await bed.send(.post, "/auth/signin", form: ["email": "ada@test.example", "password": AuthTestbed.password])
        #expect(missing.status == .forbidden && missing.cookie("bo_session") == nil)
    }

    @Test func onlySameOriginRelativeContinueURLs() async throws {
        let bed = try AuthTestbed()
        for evil in ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", "/ok\r\nSet-Cookie: x=y"] {
            let response = try await signIn(bed, email: "ada@test.example", password: AuthTestbed.password, continueURL: evil)
            #expect(response.headers["location"] == "/backoffice/", "continue \(evil)")
        }
    }

    @Test func attemptsAreThrottledPerAccount() async throws {
        let bed = try AuthTestbed()
        for _ in 0..<5 {
            #expect(try await signIn(bed, email: "sam@test.example", password: "wrong password").status == .unauthorized)
        }
        let blocked = try await signIn(bed, email: "sam@test.example", password: AuthTestbed.password)
        #expect(blocked.status.code == 429 && blocked.cookie("bo_session") == nil && blocked.headers["retry-after"] != nil)
        // Another account from the same address still works.
        #expect(try await signIn(bed, email: "uma@test.example", password: AuthTestbed.password).status == .seeOther)
    }

    @Test func signOutEndsThisSessionOnlyAndOnlyOverPost() async throws {
        let bed = try AuthTestbed()
        let cookie = bed.sessionCookie("user-plain"), other = bed.sessionCookie("user-plain")
        let token = bed.token(for: "user-plain", role: .user)
        // GET shows a page with the button: a link or an image elsewhere signs nobody out.
        let page = try await bed.send(.get, "/auth/signout", headers: [("cookie", cookie)])
        #expect(page.status == .ok && page.cookie("bo_session") == nil)
        var request = try bed.request(.get, "/", headers: [("cookie", cookie)])
        #expect(bed.service.authenticate(request) != .refused(reason: "unknown or expired session"))
        let response = try await bed.send(.post, "/auth/signout", headers: [("cookie", cookie)])
        #expect(response.status == .seeOther && response.cookie("bo_session") == "")
        request = try bed.request(.get, "/", headers: [("cookie", cookie)])
        #expect(bed.service.authenticate(request) == .refused(reason: "unknown or expired session"))
        // The user's other browser and tokens stay signed in.
        request = try bed.request(.get, "/", headers: [("cookie", other)])
        if case .authenticated = bed.service.authenticate(request) {} else { Issue.record("another session must survive a sign-out") }
        request = try bed.request(.get, "/", headers: [("authorization", "Bearer " + token)])
        if case .authenticated = bed.service.authenticate(request) {} else { Issue.record("tokens survive a sign-out of one browser") }
    }

    @Test func signOutEverywhereEndsEverySessionAndToken() async throws {
        let bed = try AuthTestbed()
        let cookie = bed.sessionCookie("user-plain"), other = bed.sessionCookie("user-plain")
        let token = bed.token(for: "user-plain", role: .user)
        let response = try await bed.send(.post, "/auth/signout", headers: [("cookie", cookie)], form: ["everywhere": "on"])
        #expect(response.status == .seeOther)
        for credential in [("cookie", cookie), ("cookie", other)] {
            let request = try bed.request(.get, "/", headers: [credential])
            #expect(bed.service.authenticate(request) == .refused(reason: "unknown or expired session"))
        }
        let request = try bed.request(.get, "/", headers: [("authorization", "Bearer " + token)])
        #expect(bed.service.authenticate(request) == .refused(reason: "bearer token revoked (issued before sign-out, or revoked explicitly)"))
    }

    @Test func oversizedAndMalformedFormsAreRefused() async throws {
        let bed = try AuthTestbed()
        let big = try await bed.send(.post, "/auth/signin", form: ["email": String(repeating: "a", count: 20000)])
        #expect(big.status == .payloadTooLarge)
        var headers = HTTPHeaders()
        headers.add("host", "localhost")
        headers.add("content-type", "application/x-www-form-urlencoded")
        let twice = await bed.router.respond(to: try Request(method: .post, target: "/auth/signin", headers: headers, body: Array("email=a&email=b".utf8)))
        #expect(twice.status == .badRequest)
        let badEscape = await bed.router.respond(to: try Request(method: .post, target: "/auth/signin", headers: headers, body: Array("email=%zz".utf8)))
        #expect(badEscape.status == .badRequest)
    }

    @Test func stateFilesAreOwnerOnly() throws {
        let bed = try AuthTestbed()
        for name in ["passwords.json", "signing-key.pem"] {
            var info = stat()
            #expect(stat(bed.state + "/auth/" + name, &info) == 0)
            #expect(info.st_mode & 0o077 == 0, "\(name) mode")
        }
        var directory = stat()
        #expect(stat(bed.state + "/auth", &directory) == 0 && directory.st_mode & 0o077 == 0)
    }
}
