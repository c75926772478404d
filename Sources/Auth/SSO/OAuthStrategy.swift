import ConfigRepo

/// An OAuth2 / OpenID Connect sign-in strategy of a domain: `auth/oauth_strat-….json`, fields
/// as PlaceOS names them (docs/auth.md, "Single sign-on").
///
/// With `site` and no `authorize_url` it is OpenID Connect: the endpoints come from the
/// provider's discovery document (`site` is the issuer, or the whole metadata URL — Azure AD B2C
/// names its policy there) and an ID token is required. With `authorize_url` and `token_url`
/// it is plain OAuth2: who signed in comes from `raw_info_url`, read with `info_mappings`.
public struct OAuthStrategy: Sendable, Equatable {
    public var id: String
    public var name: String
    public var domainID: String
    public var clientID: String
    /// As stored: an `enc:v1:` envelope (opened when the token is asked for), or nil.
    public var sealedClientSecret: String?
    public var site: String
    public var authorizeURL: String
    public var tokenURL: String
    public var rawInfoURL: String
    public var scope: String
    /// Our field → the provider's claim (`uid`, `email`, `name`, `first_name`, `last_name`, `groups`).
    public var infoMappings: [String: String]
    /// Extra parameters of the authorization request (`prompt`, `domain_hint`, `hd`…).
    public var authorizeParams: [(String, String)]
    /// `request_body` (client_secret_post, the default) or `basic_auth` (client_secret_basic).
    public var authScheme: String

    public static let idPrefix = "oauth_strat-"

    public init?(_ document: ConfigDocument) {
        guard document.kind == .authStrategy, document.id.hasPrefix(Self.idPrefix) else { return nil }
        id = document.id
        name = document.string("name") ?? document.id
        domainID = document.string("authority_id") ?? ""
        clientID = document.string("client_id") ?? ""
        sealedClientSecret = document.string("client_secret").flatMap { $0.isEmpty ? nil : $0 }
        site = document.string("site") ?? ""
        let base = site.hasSuffix("/") ? String(site.dropLast()) : site
        func resolved(_ field: String) -> String {
            let value = document.string(field) ?? ""
            return value.hasPrefix("/") && !base.isEmpty ? base + value : value
        }
        authorizeURL = resolved("authorize_url")
        tokenURL = resolved("token_url")
        rawInfoURL = resolved("raw_info_url")
        scope = document.string("scope") ?? ""
        infoMappings = (document.object("info_mappings") ?? [:]).compactMapValues(\.stringValue)
        authorizeParams = (document.object("authorize_params") ?? [:]).sorted { $0.key < $1.key }.compactMap { key, value in
            value.stringValue.map { (key, $0) } ?? value.intValue.map { (key, String($0)) }
        }
        authScheme = document.string("auth_scheme") ?? "request_body"
    }

    /// OpenID Connect through discovery (no explicit `authorize_url`).
    public var usesDiscovery: Bool { authorizeURL.isEmpty }

    /// Where the discovery document is: `site` when it already names one (B2C:
    /// `…/<policy>/v2.0/.well-known/openid-configuration` or `…?p=<policy>`), else
    /// `<site>/.well-known/openid-configuration`.
    public var metadataURL: String {
        if site.contains("/.well-known/openid-configuration") { return site }
        return (site.hasSuffix("/") ? String(site.dropLast()) : site) + "/.well-known/openid-configuration"
    }

    /// The scopes asked for: `scope`, or `openid email profile` with discovery (`openid` is
    /// always added then).
    public var requestedScope: String {
        var scopes = scope.split(separator: " ").map(String.init)
        if usesDiscovery {
            if scopes.isEmpty { scopes = ["openid", "email", "profile"] }
            if !scopes.contains("openid") { scopes.insert("openid", at: 0) }
        }
        return scopes.joined(separator: " ")
    }

    public static func == (lhs: OAuthStrategy, rhs: OAuthStrategy) -> Bool {
        lhs.id == rhs.id && lhs.site == rhs.site && lhs.clientID == rhs.clientID && lhs.authorizeURL == rhs.authorizeURL
            && lhs.tokenURL == rhs.tokenURL && lhs.rawInfoURL == rhs.rawInfoURL && lhs.scope == rhs.scope
            && lhs.sealedClientSecret == rhs.sealedClientSecret && lhs.infoMappings == rhs.infoMappings
            && lhs.authScheme == rhs.authScheme && lhs.authorizeParams.map { $0.0 + "=" + $0.1 } == rhs.authorizeParams.map { $0.0 + "=" + $0.1 }
    }
}
