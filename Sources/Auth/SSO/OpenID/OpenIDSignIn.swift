import ConfigRepo
import Crypto
import SiteGen
import WebServer

/// `GET /auth/login` for every provider (SAML: `SAMLSignIn.swift`), and sign-in through an
/// OAuth2 / OpenID Connect provider: authorization code with PKCE (S256),
/// `state` (kept server-side and in a cookie of the browser that started) and `nonce`.
/// `GET /auth/login?provider=oauth2&id=<strategy>&continue=<path>` (or `/auth/oauth2?id=…`)
/// sends the browser to the provider; `GET /auth/oauth2/callback` takes the code back,
/// exchanges it, verifies the ID token (`IDTokenVerifier`), reads userinfo where configured,
/// and signs the person in as the domain's user (`SSOAccounts`).
extension AuthService {
    static let ssoStateCookie = "bo_sso_state"
    static let oauthCallbackPath = "/auth/oauth2/callback"

    /// `GET /auth/login` and `GET /auth/<provider>`.
    func startSSO(_ request: Request, provider pathProvider: String?) -> Response {
        let now = clock()
        let snapshot = directory.current
        let domain = snapshot.domain(forHost: request.headers["host"])
        let continueURL = FormBody.safeContinue(request.query("continue"))
        let id = request.query("id") ?? ""
        let provider = pathProvider ?? request.query("provider") ?? ""
        guard let domain, let document = snapshot.snapshot.document(.authStrategy, id), document.string("authority_id") == domain.id,
              let kind = SSOProvider.of(strategyID: id), kind.rawValue == provider else {
            logRefusal(request, "SSO sign-in", "no strategy \"\(id.prefix(80))\" of provider \"\(provider.prefix(20))\" in this domain")
            return ssoFailure(request, domain: domain, continueURL: continueURL, status: .notFound,
                              message: "This sign-in method does not exist. Choose another one below.")
        }
        switch kind {
        case .oauth2:
            guard let strategy = OAuthStrategy(document) else { break }
            return startOAuth(request, strategy: strategy, domain: domain, continueURL: continueURL, now: now)
        case .adfs:
            guard let strategy = SAMLStrategy(document) else { break }
            return startSAML(request, strategy: strategy, domain: domain, continueURL: continueURL, now: now)
        }
        logRefusal(request, "SSO sign-in", "strategy \(id) is not usable")
        return ssoFailure(request, domain: domain, continueURL: continueURL, status: .notFound,
                          message: "This sign-in method is not available. Choose another one below.")
    }

    private func startOAuth(_ request: Request, strategy: OAuthStrategy, domain: DomainRecord, continueURL: String, now: Int) -> Response {
        let endpoints: ProviderEndpoints
        do { endpoints = try singleSignOn.providers.endpoints(of: strategy, now: now) } catch {
            logger.log(.warning, "auth: SSO \(strategy.id): discovery failed: \(error)")
            return ssoFailure(request, domain: domain, continueURL: continueURL, status: HTTPStatus(502),
                              message: "\(strategy.name) cannot be reached right now. Try again in a moment.")
        }
        let verifier = SecureRandom.token(32)
        let nonce = SecureRandom.token(24)
        let redirectURI = callbackURL(request, domain: domain)
        let state = singleSignOn.pending.start(.init(strategyID: strategy.id, domainID: domain.id, redirectURI: redirectURI,
                                                     continueURL: continueURL, nonce: nonce, codeVerifier: verifier,
                                                     expiresAt: now + PendingSignIns.lifetime), now: now)
        var parameters = strategy.authorizeParams.filter { !Self.reservedAuthorizeParameters.contains($0.0) }
        parameters += [("response_type", "code"), ("client_id", strategy.clientID), ("redirect_uri", redirectURI),
                       ("scope", strategy.requestedScope), ("state", state),
                       ("code_challenge", Base64URL.encode(Digest.sha256.hash(verifier))), ("code_challenge_method", "S256")]
        if endpoints.issuer != nil { parameters.append(("nonce", nonce)) }
        let query = parameters.map { FormEncoding.encode($0.0) + "=" + FormEncoding.encode($0.1) }.joined(separator: "&")
        let target = endpoints.authorization + (endpoints.authorization.contains("?") ? "&" : "?") + query
        var response = Response.redirect(to: target, status: .found)
        response.headers.add("Set-Cookie", Cookies.setCookie(Self.ssoStateCookie, state, maxAge: PendingSignIns.lifetime, request: request))
        response.headers.set("Cache-Control", "no-store")
        return response
    }

    /// Parameters a strategy's `authorize_params` may not set: the flow's own.
    static let reservedAuthorizeParameters: Set<String> = [
        "response_type", "client_id", "redirect_uri", "scope", "state", "nonce", "code_challenge", "code_challenge_method",
    ]

    /// `GET /auth/oauth2/callback?code=…&state=…` (or `error=…`).
    func finishOAuth(_ request: Request) -> Response {
        let now = clock()
        let snapshot = directory.current
        let requestDomain = snapshot.domain(forHost: request.headers["host"])
        let state = request.query("state") ?? ""
        guard let pending = singleSignOn.pending.take(state, now: now) else {
            logRefusal(request, "SSO callback", "unknown, used or expired state")
            return ssoFailure(request, domain: requestDomain, continueURL: "/backoffice/", status: .badRequest,
                              message: "This sign-in expired or was already used. Please sign in again.")
        }
        guard let cookie = Cookies.value(Self.ssoStateCookie, in: request.headers), ConstantTime.equal(cookie, state) else {
            logRefusal(request, "SSO callback", "state does not match this browser's sign-in (cookie missing or different)")
            return ssoFailure(request, domain: requestDomain, continueURL: pending.continueURL, status: .badRequest,
                              message: "This sign-in was started in another browser. Please sign in again.")
        }
        guard let domain = snapshot.domain(id: pending.domainID), let document = snapshot.snapshot.document(.authStrategy, pending.strategyID),
              let strategy = OAuthStrategy(document), strategy.domainID == domain.id else {
            logRefusal(request, "SSO callback", "strategy \(pending.strategyID) is gone")
            return ssoFailure(request, domain: requestDomain, continueURL: pending.continueURL, status: .notFound,
                              message: "This sign-in method no longer exists.")
        }
        if let error = request.query("error") {
            let text = String(error.prefix(64).filter { $0.isLetter || $0 == "_" })
            logRefusal(request, "SSO callback", "\(strategy.id): the provider answered error \"\(text)\"")
            return ssoFailure(request, domain: domain, continueURL: pending.continueURL, status: .unauthorized,
                              message: "\(strategy.name) did not sign you in. Try again, or ask your administrator.")
        }
        let identity: SSOIdentity
        let providerTokens: ResourceTokenStore.Tokens?
        do {
            (identity, providerTokens) = try oauthIdentity(request, strategy: strategy, pending: pending, now: now)
        } catch {
            logRefusal(request, "SSO callback", "\(strategy.id): \(error)")
            return ssoFailure(request, domain: domain, continueURL: pending.continueURL, status: .unauthorized,
                              message: "Sign-in through \(strategy.name) failed. Try again, or ask your administrator.")
        }
        return finishSSO(request, identity: identity, domain: domain, strategyName: strategy.name, continueURL: pending.continueURL, now: now,
                         providerTokens: providerTokens)
    }

    /// Signs in the user an identity is, or shows why not.
    func finishSSO(_ request: Request, identity: SSOIdentity, domain: DomainRecord, strategyName: String, continueURL: String,
                   now: Int, providerTokens: ResourceTokenStore.Tokens? = nil) -> Response {
        guard let repository else {
            return ssoFailure(request, domain: domain, continueURL: continueURL, status: .serviceUnavailable,
                              message: "Sign-in is not available on this server.")
        }
        let accounts = SSOAccounts(repository: repository, links: singleSignOn.links, directory: directory)
        do {
            let user = try accounts.user(for: identity, in: domain, strategyName: strategyName)
            logger.log(.info, "auth: SSO through \(identity.strategyID) as \(user.email) (\(user.id))")
            if let providerTokens {
                do { try resourceTokens.save(providerTokens, for: user.id) } catch {
                    logger.log(.error, "auth: keeping the provider's token of \(user.id) failed: \(error)")
                }
            }
            var response = signedIn(request, user: user, redirectTo: continueURL, now: now)
            response.headers.add("Set-Cookie", Cookies.clear(Self.ssoStateCookie, request: request))
            return response
        } catch SSOAccounts.Failure.refused(let message) {
            logRefusal(request, "SSO sign-in", "\(identity.strategyID) uid \(identity.uid.prefix(80)): \(message)")
            return ssoFailure(request, domain: domain, continueURL: continueURL, status: .forbidden, message: message)
        } catch {
            logger.log(.error, "auth: SSO through \(identity.strategyID): \(error)")
            return ssoFailure(request, domain: domain, continueURL: continueURL, status: .internalServerError,
                              message: "Your account could not be set up. Ask your administrator.")
        }
    }

    /// Why an OAuth callback is refused (for the log).
    struct OAuthFailure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// Exchanges the code and reads who signed in.
    private func oauthIdentity(_ request: Request, strategy: OAuthStrategy, pending: PendingSignIns.Pending,
                               now: Int) throws(OAuthFailure) -> (SSOIdentity, ResourceTokenStore.Tokens?) {
        guard let code = request.query("code"), !code.isEmpty, code.utf8.count <= 4096 else { throw OAuthFailure("no code") }
        let endpoints: ProviderEndpoints
        do { endpoints = try singleSignOn.providers.endpoints(of: strategy, now: now) } catch { throw OAuthFailure("discovery: \(error)") }
        let client = try strategy.clientAuthentication(secretBox: secretBox)
        let form = [("grant_type", "authorization_code"), ("code", code), ("redirect_uri", pending.redirectURI),
                    ("code_verifier", pending.codeVerifier)] + client.form
        let headers = client.headers
        let tokenResponse: OutgoingHTTP.Response
        do { tokenResponse = try singleSignOn.providers.http.post(endpoints.token, form: form, headers: headers) } catch {
            throw OAuthFailure("token endpoint: \(error)")
        }
        guard let tokens = (try? JSONParser.parse(tokenResponse.body))?.objectValue else {
            throw OAuthFailure("token endpoint answered \(tokenResponse.status) without JSON")
        }
        guard tokenResponse.status == 200 else {
            let error = tokens["error"]?.stringValue.map { String($0.prefix(64)) } ?? "?"
            throw OAuthFailure("token endpoint answered \(tokenResponse.status) (\(error))")
        }
        var claims: [String: JSONValue] = [:]
        if let issuer = endpoints.issuer, let jwksURL = endpoints.jwks {
            guard let idToken = tokens["id_token"]?.stringValue else { throw OAuthFailure("the token answer has no id_token") }
            let verifier = IDTokenVerifier(issuer: issuer, clientID: strategy.clientID)
            do {
                claims = try verifier.verify(idToken, nonce: pending.nonce, now: now) { header in
                    singleSignOn.providers.keys(jwksURL: jwksURL, header: header, now: now)
                }
            } catch { throw OAuthFailure(error.description) }
        }
        let accessToken = tokens["access_token"]?.stringValue
        let needsUserinfo = !strategy.rawInfoURL.isEmpty || endpoints.issuer == nil || claims["email"] == nil
        if needsUserinfo, let userinfo = endpoints.userinfo, let accessToken {
            let info: JSONValue
            do {
                info = try singleSignOn.providers.fetchJSON(userinfo, headers: [("Authorization", "Bearer " + accessToken)])
            } catch { throw OAuthFailure("userinfo: \(error)") }
            guard let members = info.objectValue else { throw OAuthFailure("userinfo is not a JSON object") }
            if let subject = claims["sub"]?.stringValue, let other = members["sub"]?.stringValue, other != subject {
                throw OAuthFailure("userinfo is about another subject than the ID token")
            }
            claims.merge(members) { fromToken, _ in fromToken }
        } else if endpoints.issuer == nil {
            throw OAuthFailure("plain OAuth2 needs raw_info_url and an access token to know who signed in")
        }
        guard let identity = SSOIdentity.from(claims: claims, mappings: strategy.infoMappings, strategyID: strategy.id) else {
            throw OAuthFailure("no uid in the provider's answer")
        }
        // Kept for `users/resource_token` (delegated access in the user's name).
        let kept = accessToken.map { token in
            ResourceTokenStore.Tokens(accessToken: token, refreshToken: tokens["refresh_token"]?.stringValue,
                                      expiresAt: tokens["expires_in"]?.intValue.map { now + $0 }, strategyID: strategy.id)
        }
        return (identity, kept)
    }

    /// Where the provider sends the browser back: this server as the browser reached it.
    private func callbackURL(_ request: Request, domain: DomainRecord) -> String {
        origin(request, domain: domain) + Self.oauthCallbackPath
    }

    /// `http(s)://host[:port]` of this server as the browser reached it (`X-Forwarded-Proto`,
    /// `Host`); the domain's host when the `Host` header is missing or not a plain host.
    func origin(_ request: Request, domain: DomainRecord) -> String {
        let scheme = Cookies.isSecure(request) ? "https" : "http"
        var host = request.headers["host"] ?? domain.host
        if host.isEmpty || host.contains(where: { $0 == "/" || $0 == "@" || $0 == "?" || $0 == "#" || $0 == "\\" || $0.isWhitespace }) {
            host = domain.host
        }
        return scheme + "://" + host
    }

    /// The sign-in page with a message (nothing about why in the page; the log has it).
    func ssoFailure(_ request: Request, domain: DomainRecord?, continueURL: String, status: HTTPStatus, message: String) -> Response {
        var response = signInForm(request, domain: domain, continueURL: continueURL, error: message, status: status)
        response.headers.add("Set-Cookie", Cookies.clear(Self.ssoStateCookie, request: request))
        return response
    }
}
