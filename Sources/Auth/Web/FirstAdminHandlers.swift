import ConfigRepo
import Crypto
import WebServer

extension AuthService {
    func firstAdminPage(_ request: Request) -> Response {
        let token = request.query("token") ?? ""
        guard firstAdmin.isValid(token, now: clock()), !hasUsableAdmin else {
            logRefusal(request, "first-admin link", "invalid, used or expired token")
            return ErrorRenderer.response(for: HTTPError(.forbidden, "This link is invalid, expired or already used."),
                                          requestID: request.id, accept: request.headers["accept"])
        }
        let csrf = SecureRandom.token(24)
        var response = Response.html(pages.firstAdmin(token: token, csrf: csrf))
        response.headers.add("Set-Cookie", Cookies.setCookie(Self.signInCSRFCookie, csrf, maxAge: 3600, request: request))
        response.headers.set("Cache-Control", "no-store")
        response.headers.set("Referrer-Policy", "no-referrer")
        return response
    }

    /// `POST /auth/first-admin`: uses the one-time token, creates the admin, signs them in.
    func createFirstAdmin(_ request: Request) throws(HTTPError) -> Response {
        let form = try FormBody.parse(request)
        let token = form["token"] ?? ""
        let now = clock()
        guard let cookie = Cookies.value(Self.signInCSRFCookie, in: request.headers), let csrf = form["csrf"],
              ConstantTime.equal(cookie, csrf) else {
            logRefusal(request, "first-admin", "missing or wrong CSRF token")
            throw HTTPError(.forbidden, "The form expired; open the link again.")
        }
        guard firstAdmin.isValid(token, now: now), !hasUsableAdmin else {
            logRefusal(request, "first-admin", "invalid, used or expired token")
            throw HTTPError(.forbidden, "This link is invalid, expired or already used.")
        }
        guard let repository else { throw HTTPError(.serviceUnavailable, "no configuration repository") }
        let password = form["password"] ?? ""
        do {
            try AccountWriter.checkPassword(password)
        } catch {
            var response = Response.html(pages.firstAdmin(token: token, csrf: csrf, error: error.description), status: .badRequest)
            response.headers.set("Cache-Control", "no-store")
            return response
        }
        guard firstAdmin.consume(token, now: now) else { throw HTTPError(.forbidden, "This link is invalid, expired or already used.") }
        let domain = directory.current.domain(forHost: request.headers["host"])
        let writer = AccountWriter(repository: repository, passwords: passwords, hasher: hasher)
        let outcome: AccountWriter.Outcome
        do {
            outcome = try writer.addUser(email: form["email"] ?? "", name: form["name"] ?? "", role: .admin, password: password,
                                         domainID: domain?.id, author: Signature(name: form["name"] ?? "admin", email: form["email"] ?? "admin@localhost"))
        } catch {
            // The token is spent; a new one comes with the next start of `serve`.
            throw HTTPError(.badRequest, "\(error). Restart `backoffice serve` for a new link.")
        }
        directory.invalidate()
        let user = switch outcome { case .created(let user), .passwordSet(let user): user }
        logger.log(.info, "auth: first administrator \(user.email) (\(user.id)) created through the one-time link")
        return signedIn(request, user: user, redirectTo: "/backoffice/", now: now)
    }
}
