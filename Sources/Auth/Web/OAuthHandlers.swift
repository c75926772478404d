import ConfigRepo
import Crypto
import SiteGen
import WebServer

/// Our OAuth2 provider (RFC 6749, PKCE RFC 7636, revocation RFC 7009): authorization code with
/// PKCE S256, refresh tokens with rotation, client credentials, and the password grant (which a
/// domain turns off with `config.password_grant: false`). The implicit flow and the code flow
/// without PKCE only for an application that allows them (`allow_implicit_flow`,
/// `allow_code_without_pkce`; docs/auth.md).
extension AuthService {
    // MARK: authorize

    /// `GET` shows consent (or issues a code at once for `skip_authorization` apps); `POST` is
    /// the consent form's answer.
    func authorize(_ request: Request, form: [String: String]?) -> Response {
        func field(_ name: String) -> String? { form?[name] ?? (form == nil ? request.query(name) : nil) }
        let directory = directory.current
        let domain = directory.domain(forHost: request.headers["host"])
        guard request.principal.credential == .session else {
            logRefusal(request, "authorize", "not a browser session")
            return Denials.forbidden(request)
        }
        // Errors before the redirect URI is trusted are shown, never redirected (RFC 6749 §4.1.2.1).
        guard let clientID = field("client_id"), let app = directory.application(clientID: clientID), app.domainID == domain?.id else {
            logRefusal(request, "authorize", "unknown client")
            return oauthPage(request, .badRequest, "Unknown application.")
        }
        guard let redirectURI = field("redirect_uri"), redirectURI == app.redirectURI else {
            logRefusal(request, "authorize", "redirect_uri does not match the registered one for \(app.clientID)")
            return oauthPage(request, .badRequest, "The redirect URI does not match the application's.")
        }
        let state = field("state")
        // The implicit flow answers in the fragment, errors included (RFC 6749 §4.2.2.1).
        let implicit = field("response_type") == "token"
        func fail(_ error: String, _ description: String) -> Response {
            logRefusal(request, "authorize", "\(error): \(description)")
            return redirect(redirectURI, ["error": error, "error_description": description, "state": state], inFragment: implicit)
        }
        guard field("response_type") == "code" || implicit else {
            return fail("unsupported_response_type", "response_type must be code (or token, for an application that allows the implicit flow)")
        }
        if implicit, !app.allowsImplicitFlow {
            return fail("unauthorized_client", "this application does not allow the implicit flow (response_type=token): use the code flow with PKCE")
        }
        let challenge = implicit ? nil : field("code_challenge")
        if let challenge {
            guard (43...128).contains(challenge.utf8.count) else { return fail("invalid_request", "code_challenge must be 43 to 128 characters") }
            guard field("code_challenge_method") == "S256" else { return fail("invalid_request", "code_challenge_method must be S256") }
        } else if !implicit, !app.allowsCodeWithoutPKCE {
            return fail("invalid_request", "code_challenge (PKCE) is required: this application does not allow the code flow without PKCE")
        }
        guard let scopes = requestedScopes(field("scope"), app: app) else { return fail("invalid_scope", "scope not allowed for this application") }
        if let form {
            guard verifyCSRF(form["csrf"], sessionID: request.principal.sessionID) else {
                logRefusal(request, "consent", "missing or wrong CSRF token")
                return Denials.forbidden(request)
            }
            guard form["decision"] == "allow" else { return fail("access_denied", "the user denied access") }
        } else if !app.skipAuthorization {
            var fields: [String: String] = ["client_id": clientID, "redirect_uri": redirectURI, "response_type": implicit ? "token" : "code",
                                            "scope": scopes.joined(separator: " ")]
            if let challenge {
                fields["code_challenge"] = challenge
                fields["code_challenge_method"] = "S256"
            }
            if let state { fields["state"] = state }
            var response = Response.html(pages.consent(application: app.name, scopes: scopes, fields: fields,
                                                           csrf: csrfToken(sessionID: request.principal.sessionID ?? "")))
            response.headers.set("Cache-Control", "no-store")
            return response
        }
        if implicit {
            // An access token only: no refresh token reaches a browser's address bar (RFC 6749 §4.2.2).
            guard let domain, let user = directory.user(id: request.principal.userID) else {
                return fail("access_denied", "the signed-in user is not a user of this domain")
            }
            return redirect(redirectURI, ["access_token": accessToken(user: user, domain: domain, scopes: scopes), "token_type": "Bearer",
                                          "expires_in": String(Self.accessTokenLifetime), "scope": scopes.joined(separator: " "),
                                          "state": state], inFragment: true)
        }
        let code = codes.issue(.init(clientID: app.clientID, redirectURI: redirectURI, userID: request.principal.userID,
                                     domainID: app.domainID, scopes: scopes, codeChallenge: challenge,
                                     expiresAt: clock() + AuthorizationCodeStore.lifetime, family: SecureRandom.token(12)),
                               now: clock())
        return redirect(redirectURI, ["code": code, "state": state])
    }

    /// The scopes to grant: the requested ones if the app allows each (`openid` always), else the app's.
    private func requestedScopes(_ text: String?, app: ApplicationRecord) -> [String]? {
        guard let text, !text.isEmpty else { return app.scopes }
        let requested = text.split(separator: " ").map(String.init)
        for scope in requested where scope != "openid" {
            guard Scope.isWellFormed(scope), app.scopes.contains("public") || Scope.allows(app.scopes, scope) || app.scopes.contains(scope) else { return nil }
        }
        return requested
    }

    /// A redirect to the client with `parameters` in the query, or in the fragment (the implicit flow).
    private func redirect(_ uri: String, _ parameters: [String: String?], inFragment: Bool = false) -> Response {
        let query = parameters.compactMap { key, value in value.map { FormEncoding.encode(key) + "=" + FormEncoding.encode($0) } }
            .sorted().joined(separator: "&")
        let separator = inFragment ? "#" : uri.contains("?") ? "&" : "?"
        var response = Response.redirect(to: uri + separator + query, status: .found)
        response.headers.set("Cache-Control", "no-store")
        return response
    }

    private func oauthPage(_ request: Request, _ status: HTTPStatus, _ message: String) -> Response {
        ErrorRenderer.response(for: HTTPError(status, message), requestID: request.id, accept: request.headers["accept"])
    }

    // MARK: token

    /// `POST /auth/oauth/token`.
    func token(_ request: Request) -> Response {
        let form: [String: String]
        do { form = try FormBody.parse(request) } catch {
            return oauthError(request, "invalid_request", error.message, status: error.status.code == 413 ? .payloadTooLarge : .badRequest)
        }
        let now = clock()
        let directory = directory.current
        guard let domain = directory.domain(forHost: request.headers["host"]) else {
            return oauthError(request, "invalid_request", "no domain for this host")
        }
        let app: ApplicationRecord
        switch authenticateClient(request, form: form, directory: directory, domain: domain) {
        case .success(let found): app = found
        case .failure(let reason):
            logRefusal(request, "token", reason.message)
            return oauthError(request, "invalid_client", "client authentication failed", status: .unauthorized)
        }
        switch form["grant_type"] {
        case "authorization_code":
            guard let code = form["code"] else { return oauthError(request, "invalid_request", "code is required") }
            switch codes.redeem(code, now: now) {
            case .refused(let reason):
                if let family = codes.familyOfUsedCode(code) { refreshTokens.revokeFamily(family) }
                logRefusal(request, "token", reason)
                return oauthError(request, "invalid_grant", "the authorization code is invalid, expired or used")
            case .granted(let grant):
                guard grant.clientID == app.clientID else {
                    logRefusal(request, "token", "code issued to another client")
                    return oauthError(request, "invalid_grant", "the authorization code is invalid, expired or used")
                }
                guard form["redirect_uri"] == grant.redirectURI else {
                    logRefusal(request, "token", "redirect_uri differs from the authorization request")
                    return oauthError(request, "invalid_grant", "redirect_uri does not match the authorization request")
                }
                // A code issued without PKCE (the application allows that) has no challenge to meet.
                if let challenge = grant.codeChallenge {
                    guard let verifier = form["code_verifier"], (43...128).contains(verifier.utf8.count),
                          ConstantTime.equal(Base64URL.encode(Digest.sha256.hash(verifier)), challenge) else {
                        logRefusal(request, "token", "PKCE verifier does not match the challenge")
                        return oauthError(request, "invalid_grant", "code_verifier does not match the code challenge")
                    }
                }
                guard let user = directory.user(id: grant.userID) else { return oauthError(request, "invalid_grant", "the user no longer exists") }
                return tokenResponse(user: user, domain: domain, app: app, scopes: grant.scopes, now: now, family: grant.family)
            }
        case "refresh_token":
            guard let token = form["refresh_token"] else { return oauthError(request, "invalid_request", "refresh_token is required") }
            switch refreshTokens.redeem(token, clientID: app.clientID, now: now) {
            case .refused(let reason):
                logRefusal(request, "token", reason)
                return oauthError(request, "invalid_grant", "the refresh token is invalid, expired or revoked")
            case .rotated(let newToken, let grant):
                guard let user = directory.user(id: grant.userID) else { return oauthError(request, "invalid_grant", "the user no longer exists") }
                return tokenResponse(user: user, domain: domain, app: app, scopes: grant.scopes, now: now, refreshToken: newToken)
            }
        case "client_credentials":
            guard app.secret != nil else { return oauthError(request, "unauthorized_client", "public clients cannot use client_credentials") }
            let issued = millisecondClock()
            var claims = AccessTokenClaims(issuedAt: issued / 1000, expiresAt: issued / 1000 + Self.accessTokenLifetime, audience: domain.host,
                                           subject: app.id, scopes: app.scopes, name: app.name, email: "", role: .user)
            claims.issuedAtMilliseconds = issued
            return tokenJSON(accessToken: jwt.sign(claims), refreshToken: nil, scopes: app.scopes)
        case "password":
            guard domain.allowsPasswordGrant else {
                logRefusal(request, "token", "password grant disabled for \(domain.id)")
                return oauthError(request, "unsupported_grant_type", "the password grant is disabled for this domain")
            }
            let email = form["username"] ?? "", password = form["password"] ?? ""
            let address = Self.clientAddress(request)
            if throttle.isBlocked(account: email, address: address, now: now) {
                logRefusal(request, "token", "throttled password grant")
                return oauthError(request, "invalid_grant", "too many attempts; try again later", status: HTTPStatus(429))
            }
            guard email.utf8.count <= 254, password.utf8.count <= PasswordHasher.maximumLength,
                  let user = verifyPassword(email: email, password: password, domain: domain, directory: directory) else {
                throttle.recordFailure(account: email, address: address, now: now)
                logRefusal(request, "token", "wrong username or password in password grant")
                return oauthError(request, "invalid_grant", "wrong username or password")
            }
            throttle.recordSuccess(account: email)
            guard let scopes = requestedScopes(form["scope"], app: app) else { return oauthError(request, "invalid_scope", "scope not allowed") }
            return tokenResponse(user: user, domain: domain, app: app, scopes: scopes, now: now, family: nil)
        case nil:
            return oauthError(request, "invalid_request", "grant_type is required")
        default:
            return oauthError(request, "unsupported_grant_type", "unsupported grant_type")
        }
    }

    private func tokenResponse(user: UserRecord, domain: DomainRecord, app: ApplicationRecord, scopes: [String], now: Int,
                               family: String? = nil, refreshToken: String? = nil) -> Response {
        let refresh = refreshToken ?? refreshTokens.issue(clientID: app.clientID, userID: user.id, domainID: domain.id, scopes: scopes,
                                                          now: now, family: family)
        return tokenJSON(accessToken: accessToken(user: user, domain: domain, scopes: scopes), refreshToken: refresh, scopes: scopes)
    }

    /// A signed access token (JWT) for `user` in `domain` with `scopes`, living `accessTokenLifetime`.
    private func accessToken(user: UserRecord, domain: DomainRecord, scopes: [String]) -> String {
        let issued = millisecondClock()
        var claims = AccessTokenClaims(issuedAt: issued / 1000, expiresAt: issued / 1000 + Self.accessTokenLifetime, audience: domain.host,
                                       subject: user.id, scopes: scopes, name: user.name, email: user.email, role: user.role,
                                       groups: user.groups)
        claims.issuedAtMilliseconds = issued
        return jwt.sign(claims)
    }

    private func tokenJSON(accessToken: String, refreshToken: String?, scopes: [String]) -> Response {
        var members: [String: JSONValue] = ["access_token": .string(accessToken), "token_type": "Bearer",
                                            "expires_in": .int(Self.accessTokenLifetime), "scope": .string(scopes.joined(separator: " "))]
        if let refreshToken { members["refresh_token"] = .string(refreshToken) }
        var response = Response.json(JSONWriter.compactString(.object(members)))
        response.headers.set("Cache-Control", "no-store")
        response.headers.set("Pragma", "no-cache")
        return response
    }

    func oauthError(_ request: Request, _ error: String, _ description: String, status: HTTPStatus = .badRequest) -> Response {
        var response = Response.json(JSONWriter.compactString(.object(["error": .string(error), "error_description": .string(description)])),
                                     status: status)
        response.headers.set("Cache-Control", "no-store")
        if status == .unauthorized { response.headers.set("WWW-Authenticate", "Basic realm=\"oauth\"") }
        return response
    }

    // MARK: client authentication

    struct ClientAuthFailure: Error { var message: String }

    /// The application making the request: HTTP Basic or `client_id`/`client_secret` in the form.
    /// Confidential apps (with a stored secret) must present it; public apps only their id.
    func authenticateClient(_ request: Request, form: [String: String], directory: IdentityDirectory,
                            domain: DomainRecord) -> Result<ApplicationRecord, ClientAuthFailure> {
        var clientID = form["client_id"], secret = form["client_secret"]
        if let header = request.headers["authorization"] {
            let parts = header.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "basic", parts[1].utf8.count <= 1024,
                  let decoded = Base64Standard.decode(String(parts[1])), let colon = decoded.firstIndex(of: ":") else {
                return .failure(.init(message: "malformed Authorization header"))
            }
            clientID = URLEncodedForm.percentDecode(decoded[..<colon], plusIsSpace: true)
            secret = URLEncodedForm.percentDecode(decoded[decoded.index(after: colon)...], plusIsSpace: true)
        }
        guard let clientID, clientID.utf8.count <= 128, let app = directory.application(clientID: clientID), app.domainID == domain.id else {
            return .failure(.init(message: "unknown client"))
        }
        if let stored = app.secret {
            guard let secret, secret.utf8.count <= 512, clientSecretMatches(secret, stored: stored, app: app) else {
                return .failure(.init(message: "wrong client secret for \(app.clientID)"))
            }
        }
        return .success(app)
    }

    private func clientSecretMatches(_ presented: String, stored: String, app: ApplicationRecord) -> Bool {
        if stored.hasPrefix("hmac-sha512$") { return APIKeySecret.matches(secret: presented, id: app.id, storedHash: stored) }
        if SecretBox.isEnvelope(stored), let box = secretBox,
           let value = try? box.open(stored, binding: .field(objectID: app.id, path: "secret")), let plain = value.stringValue {
            return ConstantTime.equal(plain, presented)
        }
        return false
    }

    // MARK: revoke

    /// `POST /auth/oauth/revoke` (RFC 7009): always 200 for an authenticated client.
    func revoke(_ request: Request) -> Response {
        let form: [String: String]
        do { form = try FormBody.parse(request) } catch { return oauthError(request, "invalid_request", error.message) }
        let directory = directory.current
        guard let domain = directory.domain(forHost: request.headers["host"]) else { return oauthError(request, "invalid_request", "no domain") }
        guard case .success(let app) = authenticateClient(request, form: form, directory: directory, domain: domain) else {
            logRefusal(request, "revoke", "client authentication failed")
            return oauthError(request, "invalid_client", "client authentication failed", status: .unauthorized)
        }
        guard let token = form["token"], token.utf8.count <= JWTCodec.maximumLength else {
            return oauthError(request, "invalid_request", "token is required")
        }
        if !refreshTokens.revoke(token, clientID: app.clientID),
           let claims = try? jwt.verify(token, audience: domain.host, now: clock()) {
            revocations.revokeToken(claims.tokenID, expiresAt: claims.expiresAt, now: clock())
        }
        return Response(status: .ok, headers: ["Cache-Control": "no-store"])
    }

    // MARK: discovery

    /// The discovery document. Its URLs name the domain's configured host, never whatever the
    /// `Host` header says (a forged one would otherwise be cached as the issuer); the port is
    /// the one the request came to, which names this server and no other host.
    func openIDConfiguration(_ request: Request) -> Response {
        let scheme = Cookies.isSecure(request) ? "https" : "http"
        guard let domain = directory.current.domain(forHost: request.headers["host"]), !domain.host.isEmpty else {
            return ErrorRenderer.response(for: HTTPError(.notFound, "no domain"), requestID: request.id, accept: nil)
        }
        let base = scheme + "://" + Self.authority(host: domain.host, port: Self.port(ofHost: request.headers["host"]))
        let json: JSONValue = .object([
            "issuer": .string(base),
            "authorization_endpoint": .string(base + "/auth/oauth/authorize"),
            "token_endpoint": .string(base + "/auth/oauth/token"),
            "revocation_endpoint": .string(base + "/auth/oauth/revoke"),
            "jwks_uri": .string(base + AuthRoutes.jwksPath),
            "response_types_supported": ["code", "token"],
            "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials", "password"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
            "scopes_supported": ["public", "openid"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
        ])
        return .json(JSONWriter.compactString(json))
    }

    func jwks() -> Response {
        let key = jwt.key.publicJWK.mapValues(JSONValue.string)
        return .json(JSONWriter.compactString(.object(["keys": .array([.object(key)])])))
    }

    /// `host` with `port` (IPv6 literals in brackets).
    static func authority(host: String, port: Int?) -> String {
        let name = host.contains(":") && !host.hasPrefix("[") ? "[" + host + "]" : host
        return port.map { name + ":" + String($0) } ?? name
    }

    /// The port of a `Host` header value (`example.com:8080`, `[::1]:8080`), nil without one.
    static func port(ofHost host: String?) -> Int? {
        guard let host, let colon = host.lastIndex(of: ":"), !host[colon...].contains("]") else { return nil }
        guard host.hasPrefix("[") || host.filter({ $0 == ":" }).count == 1 else { return nil }
        return Int(host[host.index(after: colon)...]).flatMap { (1...65535).contains($0) ? $0 : nil }
    }
}

/// Standard base64 with padding (HTTP Basic credentials).
enum Base64Standard {
    static func decode(_ text: String) -> String? {
        var url = text.replacingSlashes()
        while url.hasSuffix("=") { url.removeLast() }
        return Base64URL.decode(url).flatMap { String(validating: $0, as: UTF8.self) }
    }
}

private extension String {
    func replacingSlashes() -> String {
        String(map { $0 == "+" ? "-" : $0 == "/" ? "_" : $0 })
    }
}
