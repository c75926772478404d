import ConfigRepo
import Crypto
import SiteGen
import WebServer

extension AuthService {
    func signInPage(_ request: Request) -> Response {
        let domain = directory.current.domain(forHost: request.headers["host"])
        let continueURL = FormBody.safeContinue(request.query("continue"))
        if request.principal.credential == .session {
            return .redirect(to: continueURL)
        }
        return signInForm(request, domain: domain, continueURL: continueURL, status: .ok)
    }

    /// The sign-in page: the domain's SSO buttons, and the password form unless the domain's
    /// `config.password_sign_in` is `false`.
    func signInForm(_ request: Request, domain: DomainRecord?, continueURL: String, email: String = "",
                    error: String? = nil, status: HTTPStatus) -> Response {
        let csrf = SecureRandom.token(24)
        let snapshot = directory.current.snapshot
        let providers = domain.map { domain in
            SingleSignOn.strategies(of: domain.id, in: snapshot).compactMap { strategy -> AuthPages.Provider? in
                guard let provider = SSOProvider.of(strategyID: strategy.id) else { return nil }
                let link = "/auth/login?provider=\(provider.rawValue)&id=\(FormEncoding.encode(strategy.id))&continue=\(FormEncoding.encode(continueURL))"
                return AuthPages.Provider(name: strategy.string("name") ?? strategy.id, link: link)
            }
        } ?? []
        let passwordForm = providers.isEmpty || domain.flatMap { snapshot.document(.domain, $0.id)?.object("config")?["password_sign_in"]?.boolValue } != false
        var response = Response.html(pages.signIn(domain: domain?.name ?? "BackOffice", continueURL: continueURL, csrf: csrf,
                                                      email: email, error: error, providers: providers, passwordForm: passwordForm),
                                     status: status)
        response.headers.add("Set-Cookie", Cookies.setCookie(Self.signInCSRFCookie, csrf, maxAge: 3600, request: request))
        response.headers.set("Cache-Control", "no-store")
        return response
    }

    /// `POST /auth/signin`: email, password, continue, csrf (double-submitted with a cookie).
    func signIn(_ request: Request) throws(HTTPError) -> Response {
        let form = try FormBody.parse(request)
        let now = clock()
        var directory = directory.current
        let domain = directory.domain(forHost: request.headers["host"])
        let continueURL = FormBody.safeContinue(form["continue"])
        let email = (form["email"] ?? "").trimmingSpaces
        if let domain, directory.user(email: email, domainID: domain.id) == nil {
            // A user added a moment ago (`backoffice user add`, a push) may be on the branch
            // before the head watch has said so: look at the head once more (cheap when unmoved).
            self.directory.invalidate()
            directory = self.directory.current
        }
        let password = form["password"] ?? ""
        guard let cookie = Cookies.value(Self.signInCSRFCookie, in: request.headers), let csrf = form["csrf"],
              ConstantTime.equal(cookie, csrf) else {
            logRefusal(request, "sign-in", "missing or wrong CSRF token")
            return signInForm(request, domain: domain, continueURL: continueURL, email: email,
                              error: "Your sign-in form expired. Please try again.", status: .forbidden)
        }
        guard !email.isEmpty, email.utf8.count <= 254, !password.isEmpty, password.utf8.count <= PasswordHasher.maximumLength else {
            logRefusal(request, "sign-in", "empty or oversized email or password")
            return signInForm(request, domain: domain, continueURL: continueURL, email: String(email.prefix(254)),
                              error: "Enter your email and password.", status: .badRequest)
        }
        let address = Self.clientAddress(request)
        if throttle.isBlocked(account: email, address: address, now: now) {
            logRefusal(request, "sign-in", "throttled (\(email), \(address))")
            var response = signInForm(request, domain: domain, continueURL: continueURL, email: email,
                                      error: "Too many attempts. Wait a few minutes and try again.", status: HTTPStatus(429))
            response.headers.set("Retry-After", String(throttle.window))
            return response
        }
        guard let domain, let user = verifyPassword(email: email, password: password, domain: domain, directory: directory) else {
            throttle.recordFailure(account: email, address: address, now: now)
            logRefusal(request, "sign-in", "wrong email or password for \(email)")
            return signInForm(request, domain: domain, continueURL: continueURL, email: email,
                              error: "Wrong email or password.", status: .unauthorized)
        }
        throttle.recordSuccess(account: email)
        return signedIn(request, user: user, redirectTo: continueURL, now: now)
    }

    /// The user whose password this is, or nil (unknown users cost the same time).
    func verifyPassword(email: String, password: String, domain: DomainRecord, directory: IdentityDirectory) -> UserRecord? {
        guard let user = directory.user(email: email, domainID: domain.id), let stored = passwords.hash(for: user.id) else {
            hasher.burn(password)
            return nil
        }
        return PasswordHasher.verify(password, against: stored) ? user : nil
    }

    /// Starts a new session (a new id: any session id the browser had is ended, never adopted)
    /// and redirects.
    func signedIn(_ request: Request, user: UserRecord, redirectTo location: String, now: Int) -> Response {
        if let old = Cookies.value(Self.sessionCookie, in: request.headers) { sessions.end(old) }
        let session = sessions.create(userID: user.id, domainID: user.domainID, now: now)
        logger.log(.info, "auth: \(user.email) (\(user.id)) signed in from \(Self.clientAddress(request))")
        var response = Response.redirect(to: location)
        response.headers.add("Set-Cookie", Cookies.setCookie(Self.sessionCookie, session.id, maxAge: SessionStore.lifetime, request: request))
        response.headers.add("Set-Cookie", Cookies.clear(Self.signInCSRFCookie, request: request))
        response.headers.set("Cache-Control", "no-store")
        return response
    }

    /// `GET /auth/signout`: a page whose button signs out (a link or an image on another site
    /// must not sign anyone out, so only the POST does).
    func signOutPage(_ request: Request) -> Response {
        var response = Response.html(pages.signOut(signedIn: request.principal.credential == .session))
        response.headers.set("Cache-Control", "no-store")
        return response
    }

    /// `POST /auth/signout`: ends this browser's session; with `everywhere=on`, every session,
    /// token and refresh token of the user (`SignOutEverywhere`). A bearer-token client has no
    /// session: its sign-out ends the user's tokens (access tokens issued until now, refresh
    /// tokens), and with `everywhere` the sessions too.
    func signOut(_ request: Request) -> Response {
        let everywhere = (try? FormBody.parse(request))?["everywhere"] == "on" || request.query("everywhere") == "on"
        if let id = Cookies.value(Self.sessionCookie, in: request.headers), let session = sessions.session(id, now: clock()) {
            sessions.end(id)
            if everywhere { signOutEverywhere(session.userID) }
            logger.log(.info, "auth: \(session.userID) signed out" + (everywhere ? " everywhere" : ""))
        } else if request.principal.isAuthenticated, request.principal.credential == .bearerToken {
            if everywhere {
                signOutEverywhere(request.principal.userID)
            } else {
                revocations.signOut(request.principal.userID, atMilliseconds: millisecondClock())
                refreshTokens.revokeAll(userID: request.principal.userID)
            }
        }
        var response = Response.redirect(to: "/auth/signin")
        response.headers.add("Set-Cookie", Cookies.clear(Self.sessionCookie, request: request))
        response.headers.set("Cache-Control", "no-store")
        return response
    }

    /// `GET /auth/authority`: the domain's public description (its `config`: PlaceOS keeps what is
    /// private in `internals`), the product `version`, and whether the caller is signed in.
    func authority(_ request: Request) -> Response {
        guard let domain = directory.current.domain(forHost: request.headers["host"]) else {
            return ErrorRenderer.response(for: HTTPError(.notFound, "no domain"), requestID: request.id, accept: nil)
        }
        let json: JSONValue = .object([
            "id": .string(domain.id), "name": .string(domain.name), "domain": .string(domain.host),
            "login_url": .string("/auth/signin?continue={{url}}"), "logout_url": .string("/auth/signout"),
            "session": .bool(request.principal.credential == .session),
            "production": .bool(false), "version": .string(version),
            "config": directory.current.snapshot.document(.domain, domain.id)?["config"] ?? .object([:]),
        ])
        return .json(JSONWriter.compactString(json))
    }

    /// The client address for throttling: the socket peer without its port.
    static func clientAddress(_ request: Request) -> String {
        let peer = request.peerAddress
        if peer.hasPrefix("["), let close = peer.firstIndex(of: "]") { return String(peer[..<close].dropFirst()) }
        if let colon = peer.lastIndex(of: ":"), peer.filter({ $0 == ":" }).count == 1 { return String(peer[..<colon]) }
        return peer.isEmpty ? "local" : peer
    }
}
