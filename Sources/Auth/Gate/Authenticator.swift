import ConfigRepo
import WebServer

/// What the credentials on a request amount to.
public enum AuthenticationOutcome: Sendable, Equatable {
    /// No credential at all.
    case anonymous
    case authenticated(Principal)
    /// A credential was presented and refused; `reason` is for the log only.
    case refused(reason: String)
}

extension AuthService {
    /// Finds and checks the request's credential, in this order: `Authorization: Bearer`,
    /// `X-API-Key`, `?bearer_token=`, `?api-key=`, the `bearer_token` and `api-key` cookies
    /// (PlaceOS's browser clients; `CookieCredentials`), then the session cookie.
    public func authenticate(_ request: Request) -> AuthenticationOutcome {
        let now = clock()
        let directory = directory.current
        let domain = directory.domain(forHost: request.headers["host"])
        if let authorization = request.headers["authorization"] {
            guard authorization.utf8.count <= JWTCodec.maximumLength + 16 else { return .refused(reason: "authorization header too large") }
            let parts = authorization.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "bearer" || parts[0].lowercased() == "token" else {
                return .refused(reason: "unsupported authorization scheme")
            }
            return bearer(String(parts[1]).trimmingSpaces, directory: directory, domain: domain, now: now)
        }
        if let key = request.headers["x-api-key"] {
            return apiKey(key.trimmingSpaces, directory: directory, domain: domain, now: now)
        }
        if let token = request.query("bearer_token") {
            return bearer(token, directory: directory, domain: domain, now: now)
        }
        if let key = request.query("api-key") {
            return apiKey(key, directory: directory, domain: domain, now: now)
        }
        if let token = Cookies.value(CookieCredentials.bearerToken, in: request.headers), !token.isEmpty {
            return bearer(token, directory: directory, domain: domain, now: now)
        }
        if let key = Cookies.value(CookieCredentials.apiKey, in: request.headers), !key.isEmpty {
            return apiKey(key, directory: directory, domain: domain, now: now)
        }
        if let id = Cookies.value(AuthService.sessionCookie, in: request.headers) {
            return session(id, directory: directory, domain: domain, now: now)
        }
        return .anonymous
    }

    func bearer(_ token: String, directory: IdentityDirectory, domain: DomainRecord?, now: Int) -> AuthenticationOutcome {
        guard let domain else { return .refused(reason: "no domain for this host") }
        let claims: AccessTokenClaims
        if let cached = verifiedTokens.value(token) {
            guard cached.expiresAt > now else { return .refused(reason: "bearer token \(TokenRejection.expired)") }
            guard cached.audience == domain.host else { return .refused(reason: "bearer token \(TokenRejection.wrongAudience)") }
            claims = cached
        } else {
            do {
                claims = try jwt.verify(token, audience: domain.host, now: now)
            } catch {
                return .refused(reason: "bearer token \(error)")
            }
            verifiedTokens.store(claims, for: token)
        }
        if revocations.isRevoked(userID: claims.subject, tokenID: claims.tokenID, issuedAtMilliseconds: claims.issueMillisecond) {
            return .refused(reason: "bearer token \(TokenRejection.revoked)")
        }
        // Client-credentials tokens name the application, not a user.
        if claims.subject.hasPrefix("app-") {
            return .authenticated(Principal(userID: claims.subject, name: claims.name, email: claims.email, role: .user,
                                            domainID: domain.id, scopes: claims.scopes, credential: .bearerToken))
        }
        guard let user = directory.user(id: claims.subject), user.domainID == domain.id else {
            return .refused(reason: "bearer token \(TokenRejection.unknownUser)")
        }
        // The token's role never exceeds the user's current one (demotions take effect at once).
        let role = min(claims.role, user.role)
        return .authenticated(Principal(userID: user.id, name: user.name, email: user.email, role: role, domainID: user.domainID,
                                        scopes: claims.scopes, credential: .bearerToken))
    }

    func apiKey(_ presented: String, directory: IdentityDirectory, domain: DomainRecord?, now: Int) -> AuthenticationOutcome {
        guard let (id, secret) = APIKeySecret.split(presented) else { return .refused(reason: "malformed API key") }
        guard let key = directory.apiKey(id: id), let hash = key.secretHash else { return .refused(reason: "unknown API key") }
        if verifiedKeys.value(presented) != hash {
            guard APIKeySecret.matches(secret: secret, id: id, storedHash: hash) else { return .refused(reason: "wrong API key secret") }
            verifiedKeys.store(hash, for: presented)
        }
        if let expiresAt = key.expiresAt, expiresAt <= now { return .refused(reason: "API key \(id) expired") }
        guard let user = directory.user(id: key.userID) else { return .refused(reason: "API key owner no longer exists") }
        if let domain, user.domainID != domain.id { return .refused(reason: "API key of another domain") }
        var role = user.role
        if let override = key.permissions {
            let granted: Role = override >= 2 ? .admin : override == 1 ? .support : .user
            role = min(granted, user.role)  // an override never raises above the owner
        }
        return .authenticated(Principal(userID: user.id, name: user.name, email: user.email, role: role, domainID: user.domainID,
                                        scopes: key.scopes.isEmpty ? ["public"] : key.scopes, credential: .apiKey))
    }

    func session(_ id: String, directory: IdentityDirectory, domain: DomainRecord?, now: Int) -> AuthenticationOutcome {
        guard id.utf8.count <= 128, let session = sessions.session(id, now: now) else {
            return .refused(reason: "unknown or expired session")
        }
        guard let user = directory.user(id: session.userID) else { return .refused(reason: "session user no longer exists") }
        if let domain, session.domainID != domain.id { return .refused(reason: "session of another domain") }
        return .authenticated(Principal(userID: user.id, name: user.name, email: user.email, role: user.role, domainID: user.domainID,
                                        scopes: nil, sessionID: session.id, credential: .session))
    }
}
