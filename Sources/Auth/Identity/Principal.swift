import ConfigRepo
import WebServer

/// Who is making a request: the signed-in user, the user behind an API key or token, the
/// anonymous visitor (also what a request is when no gate ran), or — only with `serve --auth off`
/// (`LocalAdminGate`) — the local administrator. Every page, form, REST route and WebSocket
/// command asks this value (`request.principal`), never the raw credentials.
public struct Principal: Sendable, Hashable {
    /// The user's id (`user-…`); `local-admin` for the built-in local administrator,
    /// `anonymous` for nobody.
    public var userID: String
    public var name: String
    public var email: String
    /// What the principal may do (`user < support < admin`).
    public var role: Role
    /// The domain (`authority-…`) the principal belongs to; nil for the local administrator.
    public var domainID: String?
    /// OAuth2 / API-key scopes; nil means unrestricted (a signed-in session).
    public var scopes: [String]?
    /// The browser session this request belongs to (nil for tokens, API keys and anonymous
    /// requests). The site binds its CSRF tokens to it: see docs/auth.md.
    public var sessionID: String?
    /// How the principal proved who it is.
    public var credential: Credential

    /// The kinds of credential a request may carry.
    public enum Credential: String, Sendable, Hashable {
        case none, session, bearerToken = "bearer", apiKey = "api_key", local
    }

    public init(userID: String, name: String, email: String, role: Role, domainID: String? = nil, scopes: [String]? = nil,
                sessionID: String? = nil, credential: Credential = .local) {
        self.userID = userID
        self.name = name
        self.email = email
        self.role = role
        self.domainID = domainID
        self.scopes = scopes
        self.sessionID = sessionID
        self.credential = credential
    }

    /// The author of the commits this principal makes.
    public var signature: Signature { Signature(name: name, email: email) }

    /// The local administrator: every request with `serve --auth off` (`LocalAdminGate`), and the
    /// author of internal calls. Never a default.
    public static let localAdmin = Principal(userID: "local-admin", name: "Local Admin", email: "admin@localhost", role: .admin)

    /// Nobody: what handlers of public routes see for a visitor who is not signed in.
    public static let anonymous = Principal(userID: "anonymous", name: "Anonymous", email: "", role: .user, scopes: [],
                                            credential: .none)

    /// False for the anonymous visitor.
    public var isAuthenticated: Bool { credential != .none }
}

// MARK: - The role checks every layer calls

extension Principal {
    /// Whether the principal is signed in with at least `role` (admin ⊃ support ⊃ user).
    public func has(_ role: Role) -> Bool { isAuthenticated && self.role >= role }

    /// Whether the principal may call a driver function with this `security` annotation:
    /// none → anyone signed in; `support` → support or admin; `administrator` → admin only.
    /// An unknown annotation is treated as `administrator` (fail closed).
    public func mayExecute(functionSecurity security: String?) -> Bool {
        switch security {
        case nil, "": isAuthenticated
        case "support": has(.support)
        case "administrator", "admin": has(.admin)
        default: has(.admin)
        }
    }

    /// Whether settings of `level` may be shown to this principal decrypted.
    public func mayRead(_ level: SettingsLevel) -> Bool {
        level == .none ? isAuthenticated : isAuthenticated && level.isReadable(by: role)
    }

    /// Whether the principal may create, edit, delete or revert objects of `kind` (DESIGN §6):
    /// admins everything; support systems, zones, modules and metadata; users nothing.
    public func mayEdit(_ kind: Kind) -> Bool {
        isAuthenticated && role.mayEdit(kind)
    }

    /// Whether the principal may see objects of `kind` in the site: support and admins all;
    /// users systems, zones and metadata (never users, keys, drivers, repositories or auth).
    public func mayView(_ kind: Kind) -> Bool {
        isAuthenticated && role.mayView(kind)
    }

    /// Whether the principal's scopes allow `scope` (`systems.read`); sessions are unrestricted.
    public func allows(scope: String?) -> Bool {
        isAuthenticated && Scope.allows(scopes, scope)
    }
}
