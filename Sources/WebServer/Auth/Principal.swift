import ConfigRepo

/// Who is making a request: the signed-in user, the user behind an API key or token, or (until
/// sign-in is configured) the local administrator. Every page, form, REST route and WebSocket
/// command asks this value, never the raw credentials.
public struct Principal: Sendable, Hashable {
    /// The user's id (`user-…`); `local-admin` for the built-in local administrator.
    public var userID: String
    public var name: String
    public var email: String
    /// What the principal may do (`user < support < admin`).
    public var role: Role
    /// The domain (`authority-…`) the principal belongs to; nil for the local administrator.
    public var domainID: String?
    /// OAuth2 / API-key scopes; nil means unrestricted (a signed-in session).
    public var scopes: [String]?

    public init(userID: String, name: String, email: String, role: Role, domainID: String? = nil, scopes: [String]? = nil) {
        self.userID = userID
        self.name = name
        self.email = email
        self.role = role
        self.domainID = domainID
        self.scopes = scopes
    }

    /// The author of the commits this principal makes.
    public var signature: Signature { Signature(name: name, email: email) }

    /// The single local administrator the site acts as until sign-in exists.
    public static let localAdmin = Principal(userID: "local-admin", name: "Local Admin", email: "admin@localhost", role: .admin)
}
