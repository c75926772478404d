#if canImport(Glibc)
import Glibc
#endif
import ConfigRepo
import SiteGen
import Crypto
import WebServer

/// Identity and access for one server: who is asking (sessions, bearer JWTs, API keys), whether
/// they may (the access policy), and the `/auth/…` routes that sign people in and issue tokens.
///
/// `install(on:)` adds the routes and sets the router's gate; handlers then only read
/// `request.principal`. All state lives in `<state>/auth/`.
public final class AuthService: Sendable {
    public let authDirectory: String
    public let repository: ConfigRepository?
    public let directory: DirectoryCache
    public let passwords: PasswordStore
    public let sessions: SessionStore
    public let revocations: RevocationLedger
    public let refreshTokens: RefreshTokenStore
    /// The SSO provider's tokens of each user, for `users/resource_token`.
    public let resourceTokens: ResourceTokenStore
    public let codes: AuthorizationCodeStore
    public let firstAdmin: FirstAdminLink
    public let throttle: SignInThrottle
    public let accessLog: AccessLog
    /// Sign-in through identity providers (OpenID Connect, OAuth2).
    public let singleSignOn: SingleSignOn
    public let jwt: JWTCodec
    public let hasher: PasswordHasher
    public let policy: AccessPolicy
    public let logger: Logger
    /// The sign-in, first-admin and consent pages (site templates).
    let pages: AuthPages
    /// The current Unix time in seconds (replaceable in tests).
    let clock: @Sendable () -> Int
    /// The same clock in milliseconds: sign-outs and token issue times, so a token issued in
    /// the second after a sign-out works (with a test's clock, whole seconds).
    let millisecondClock: @Sendable () -> Int
    /// Opens application client secrets stored as `enc:v1` envelopes.
    let secretBox: SecretBox?
    /// Tokens whose signature verified, and API keys whose secret matched (see `CredentialCache`).
    let verifiedTokens = CredentialCache<AccessTokenClaims>()
    let verifiedKeys = CredentialCache<String>()
    /// Keys the CSRF tokens of this process (a restart invalidates open forms, not sessions).
    let csrfKey = SecureRandom.bytes(32)

    /// Access tokens last 2 hours, as in PlaceOS; API keys become 1-hour principals per request.
    /// The product version `/auth/authority` reports.
    let version: String

    public static let accessTokenLifetime = 7200
    public static let sessionCookie = "bo_session"
    public static let signInCSRFCookie = "bo_signin_csrf"

    public init(stateDirectory: String, repository: ConfigRepository?, directory: DirectoryCache? = nil,
                policy: AccessPolicy, logger: Logger = Logger(level: .info), hasher: PasswordHasher = .standard,
                templates: TemplateLibrary? = nil, clock: (@Sendable () -> Int)? = nil, version: String = "dev") throws {
        self.version = version
        authDirectory = try StateFile.authDirectory(stateDirectory: stateDirectory)
        self.repository = repository
        if let directory {
            self.directory = directory
        } else if let repository {
            self.directory = DirectoryCache(repository: repository)
        } else {
            self.directory = DirectoryCache(snapshot: Snapshot(commit: nil, files: []))
        }
        passwords = try PasswordStore(authDirectory: authDirectory)
        sessions = try SessionStore(authDirectory: authDirectory)
        revocations = try RevocationLedger(authDirectory: authDirectory)
        refreshTokens = try RefreshTokenStore(authDirectory: authDirectory)
        codes = AuthorizationCodeStore()
        firstAdmin = try FirstAdminLink(authDirectory: authDirectory)
        throttle = SignInThrottle()
        accessLog = AccessLog(authDirectory: authDirectory)
        singleSignOn = try SingleSignOn(authDirectory: authDirectory)
        jwt = JWTCodec(key: try SigningKeyStore.loadOrCreate(authDirectory: authDirectory))
        self.hasher = hasher
        self.policy = policy
        self.logger = logger
        pages = AuthPages(library: templates)
        if let clock {
            self.clock = clock
            millisecondClock = { clock() * 1000 }
        } else {
            // One reading for both, so the seconds never run ahead of the milliseconds.
            let milliseconds: @Sendable () -> Int = { SignOutEverywhere.now() }
            millisecondClock = milliseconds
            self.clock = { milliseconds() / 1000 }
        }
        secretBox = repository?.secretBox
        resourceTokens = try ResourceTokenStore(authDirectory: authDirectory, box: repository?.secretBox)
    }

    /// Ends every session and token of a user (see `SignOutEverywhere`).
    public func signOutEverywhere(_ userID: String) {
        SignOutEverywhere(sessions: sessions, revocations: revocations, refreshTokens: refreshTokens)
            .signOut(userID, atMilliseconds: millisecondClock())
    }

    /// The CSRF token of a session: HMAC of the session id, so a form posted without it (or with
    /// another session's) is refused. The site's forms use the same token (docs/auth.md).
    public func csrfToken(sessionID: String) -> String {
        Base64URL.encode(Array(HMAC.code(.sha512, key: csrfKey, message: Array(("csrf:" + sessionID).utf8)).prefix(32)))
    }

    /// Whether `token` is the CSRF token of `sessionID`.
    public func verifyCSRF(_ token: String?, sessionID: String?) -> Bool {
        guard let token, let sessionID, token.utf8.count <= 64 else { return false }
        return ConstantTime.equal(token, csrfToken(sessionID: sessionID))
    }

    /// Adds the `/auth/…` routes and makes every request pass the access gate.
    public func install(on router: inout Router) {
        AuthRoutes.add(to: &router, service: self)
        router.gate = { [self] request, route in gate(&request, route) }
    }

    /// True when some administrator can sign in (has a password).
    public var hasUsableAdmin: Bool {
        directory.current.users.contains { $0.role == .admin && passwords.hasPassword($0.id) }
    }

    /// The one-time first-admin link path, when no admin can sign in yet; nil otherwise.
    public func firstAdminPathIfNeeded() throws -> String? {
        guard !hasUsableAdmin else { return nil }
        return "/auth/first-admin?token=" + (try firstAdmin.issue(now: clock()))
    }

    /// Writes one refusal to the log: what was refused and why, never the credential itself.
    func logRefusal(_ request: Request, _ what: String, _ reason: String) {
        logger.log(.warning, "auth: refused \(what) for \(request.method) \(request.path) from \(request.peerAddress.isEmpty ? "-" : request.peerAddress) (request \(request.id)): \(reason)")
    }
}
