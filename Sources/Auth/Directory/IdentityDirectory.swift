import ConfigRepo
import Crypto
import WebServer

/// A domain (PlaceOS authority) as authentication sees it.
public struct DomainRecord: Sendable, Equatable {
    public var id: String
    public var name: String
    /// The host name requests are matched by (`localhost`).
    public var host: String
    /// False when `config.password_grant` is `false`: the OAuth2 password grant is refused.
    public var allowsPasswordGrant: Bool
}

/// A user from `users/*.json`.
public struct UserRecord: Sendable, Equatable {
    public var id: String
    public var name: String
    public var email: String
    public var domainID: String
    public var role: Role
    public var groups: [String]
}

/// An API key from `api-keys/*.json`.
public struct APIKeyRecord: Sendable, Equatable {
    public var id: String
    public var name: String
    public var userID: String
    public var scopes: [String]
    /// The PlaceOS permission override (0 user, 1 support, 2 admin, 3 both), nil for none.
    public var permissions: Int?
    public var expiresAt: Int?
    public var secretHash: String?
}

/// An OAuth2 client from `applications/*.json`.
public struct ApplicationRecord: Sendable, Equatable {
    public var id: String
    /// The client id: `uid`, else the file id.
    public var clientID: String
    public var name: String
    public var domainID: String
    public var redirectURI: String
    /// The sealed or hashed secret as stored; nil for public clients.
    public var secret: String?
    public var scopes: [String]
    public var skipAuthorization: Bool
    /// `allow_implicit_flow`: `/auth/oauth/authorize` may answer `response_type=token` with an
    /// access token in the redirect's fragment (ts-client's implicit flow). Off by default.
    public var allowsImplicitFlow = false
    /// `allow_code_without_pkce`: an authorization code may be asked for without a PKCE
    /// challenge (older clients). Off by default: PKCE S256 is required.
    public var allowsCodeWithoutPKCE = false
}

/// Typed, read-only lookups of identity objects in one configuration snapshot. Domains and
/// users are indexed once at construction (the gate asks on every request).
///
/// A user marked `deleted` (a soft delete, `DELETE users/:id` in a domain that keeps deleted
/// users) is not a user here: no session, token, API key or password of theirs signs in, and
/// single sign-on does not adopt or re-create them (`deletedUser(email:domainID:)`).
public struct IdentityDirectory: Sendable {
    public let snapshot: Snapshot
    public let domains: [DomainRecord]
    public let users: [UserRecord]
    private let domainsByHost: [String: DomainRecord]
    /// The domain for a `Host` no domain claims (`DefaultDomain`).
    private let defaultDomain: DomainRecord?
    private let usersByID: [String: UserRecord]
    private let usersByEmail: [String: UserRecord]  // "<domain id> <lowercased email>"
    private let deletedUsersByEmail: [String: String]  // the same key → the deleted user's id

    /// `defaultDomainID` names the domain for a `Host` no domain claims (`DefaultDomain`); nil:
    /// the first by id.
    public init(snapshot: Snapshot, defaultDomainID: String? = nil) {
        self.snapshot = snapshot
        let domains = snapshot.all(.domain).map(Self.domain)
        self.domains = domains
        defaultDomain = domains.first { $0.id == defaultDomainID } ?? domains.first
        let (deleted, present) = snapshot.all(.user).reduce(into: ([ConfigDocument](), [ConfigDocument]())) { split, user in
            if user.bool("deleted") == true { split.0.append(user) } else { split.1.append(user) }
        }
        users = present.map(Self.user)
        deletedUsersByEmail = Dictionary(deleted.map { ((($0.string("authority_id") ?? "") + " " + ($0.string("email") ?? "").lowercased()), $0.id) },
                                         uniquingKeysWith: { first, _ in first })
        domainsByHost = Dictionary(domains.map { ($0.host.lowercased(), $0) }, uniquingKeysWith: { first, _ in first })
        usersByID = Dictionary(users.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        usersByEmail = Dictionary(users.map { ($0.domainID + " " + $0.email.lowercased(), $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The domain for a `Host` header (port and case ignored). When no domain claims the host,
    /// the default domain answers (`DefaultDomain`), so a fresh install answers on any address.
    public func domain(forHost host: String?) -> DomainRecord? {
        if let host, let match = domainsByHost[Self.hostName(host)] { return match }
        return defaultDomain
    }

    public func domain(id: String) -> DomainRecord? { domains.first { $0.id == id } }

    public func user(id: String) -> UserRecord? { usersByID[id] }

    /// The user of `domainID` with this email (case-insensitive).
    public func user(email: String, domainID: String) -> UserRecord? {
        usersByEmail[domainID + " " + email.lowercased()]
    }

    /// The id of the deleted user of `domainID` with this email, if there is one.
    public func deletedUser(email: String, domainID: String) -> String? {
        deletedUsersByEmail[domainID + " " + email.lowercased()]
    }

    public func apiKey(id: String) -> APIKeyRecord? {
        guard let document = snapshot.document(.apiKey, id) else { return nil }
        return APIKeyRecord(id: document.id, name: document.string("name") ?? "", userID: document.string("user_id") ?? "",
                            scopes: document.strings("scopes"), permissions: document.int("permissions"),
                            expiresAt: document.int("expires_at"), secretHash: document.string("secret_hash"))
    }

    /// The application whose client id is `clientID`: its `uid`, else its file id — or, for an
    /// application without a `uid`, the MD5 hex of its redirect URI, the client id PlaceOS
    /// gives an application by default (and ts-client sends unless told otherwise).
    public func application(clientID: String) -> ApplicationRecord? {
        let applications = snapshot.all(.application)
        if let found = applications.lazy.map(Self.application).first(where: { $0.clientID == clientID }) { return found }
        return applications.first { document in
            document.string("uid") == nil && document.string("redirect_uri").map { Digest.md5.hex($0) } == clientID.lowercased()
        }.map(Self.application)
    }

    static func domain(_ document: ConfigDocument) -> DomainRecord {
        let config = document.object("config") ?? [:]
        return DomainRecord(id: document.id, name: document.string("name") ?? document.id,
                            host: document.string("domain") ?? "", allowsPasswordGrant: config["password_grant"]?.boolValue ?? true)
    }

    static func user(_ document: ConfigDocument) -> UserRecord {
        let role: Role = document.bool("sys_admin") == true ? .admin : document.bool("support") == true ? .support : .user
        return UserRecord(id: document.id, name: document.string("name") ?? "", email: document.string("email") ?? "",
                          domainID: document.string("authority_id") ?? "", role: role, groups: document.strings("groups"))
    }

    static func application(_ document: ConfigDocument) -> ApplicationRecord {
        let scopes = (document.string("scopes") ?? "public").split(separator: " ").map(String.init)
        return ApplicationRecord(id: document.id, clientID: document.string("uid") ?? document.id, name: document.string("name") ?? "",
                                 domainID: document.string("owner_id") ?? "", redirectURI: document.string("redirect_uri") ?? "",
                                 secret: document.string("secret"), scopes: scopes.isEmpty ? ["public"] : scopes,
                                 skipAuthorization: document.bool("skip_authorization") ?? false,
                                 allowsImplicitFlow: document.bool("allow_implicit_flow") ?? false,
                                 allowsCodeWithoutPKCE: document.bool("allow_code_without_pkce") ?? false)
    }

    /// `Example.COM:8080` → `example.com`; `[::1]:80` → `::1`.
    static func hostName(_ host: String) -> String {
        var text = Substring(host.lowercased())
        if text.hasPrefix("[") {
            if let close = text.firstIndex(of: "]") { return String(text[text.index(after: text.startIndex)..<close]) }
            return String(text)
        }
        if let colon = text.lastIndex(of: ":") { text = text[..<colon] }
        return String(text)
    }
}
