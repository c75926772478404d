import ConfigRepo
import Crypto
import WebServer

/// The claims of our access tokens, as PlaceOS writes them (`placeos-api.md` §7):
/// `iss`, `iat`, `exp`, `jti`, `aud` (the domain's host), `sub` (user id), `scope` (array),
/// `u: {n: name, e: email, p: permission bits (1 support, 2 admin), r: groups}`; ours add
/// `iat_ms`, the issue time in milliseconds, so a sign-out refuses exactly the tokens issued
/// before it (`RevocationLedger`).
public struct AccessTokenClaims: Sendable, Equatable {
    public var issuer: String
    public var issuedAt: Int
    /// `iat_ms`; nil in tokens without it (they count as issued at the start of `issuedAt`).
    public var issuedAtMilliseconds: Int?
    public var expiresAt: Int
    public var tokenID: String
    public var audience: String
    public var subject: String
    public var scopes: [String]
    public var name: String
    public var email: String
    public var permissionBits: Int
    public var groups: [String]

    public init(issuer: String = AccessTokenClaims.defaultIssuer, issuedAt: Int, expiresAt: Int, tokenID: String = SecureRandom.token(16),
                audience: String, subject: String, scopes: [String], name: String, email: String, role: Role, groups: [String] = []) {
        self.issuer = issuer
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.tokenID = tokenID
        self.audience = audience
        self.subject = subject
        self.scopes = scopes
        self.name = name
        self.email = email
        self.permissionBits = Self.bits(for: role)
        self.groups = groups
    }

    /// PlaceOS's issuer name.
    public static let defaultIssuer = "POS"

    /// The role the permission bits grant: 2 (admin) wins, then 1 (support).
    public var role: Role {
        if permissionBits & 2 != 0 { return .admin }
        if permissionBits & 1 != 0 { return .support }
        return .user
    }

    static func bits(for role: Role) -> Int {
        switch role {
        case .user: 0
        case .support: 1
        case .admin: 3
        }
    }

    var json: JSONValue {
        var members: [String: JSONValue] = [
            "iss": .string(issuer), "iat": .int(issuedAt), "exp": .int(expiresAt), "jti": .string(tokenID),
            "aud": .string(audience), "sub": .string(subject), "scope": .array(scopes.map(JSONValue.string)),
            "u": .object(["n": .string(name), "e": .string(email), "p": .int(permissionBits),
                          "r": .array(groups.map(JSONValue.string))]),
        ]
        if let issuedAtMilliseconds { members["iat_ms"] = .int(issuedAtMilliseconds) }
        return .object(members)
    }

    /// When the token was issued, in milliseconds, as the revocation check counts it: `iat_ms`
    /// when it agrees with `iat`, else the first millisecond of `iat` (refused in doubt).
    public var issueMillisecond: Int {
        if let issuedAtMilliseconds, issuedAtMilliseconds / 1000 == issuedAt { return issuedAtMilliseconds }
        return issuedAt * 1000
    }

    /// The claims from a decoded payload; nil when a required claim is missing or mistyped.
    init?(json: JSONValue) {
        guard let object = json.objectValue,
              let issuer = object["iss"]?.stringValue, let issuedAt = object["iat"]?.intValue,
              let expiresAt = object["exp"]?.intValue, let tokenID = object["jti"]?.stringValue,
              let audience = object["aud"]?.stringValue, let subject = object["sub"]?.stringValue,
              let scopeArray = object["scope"]?.arrayValue, let user = object["u"]?.objectValue,
              let bits = user["p"]?.intValue, (0...3).contains(bits)
        else { return nil }
        let scopes = scopeArray.compactMap(\.stringValue)
        guard scopes.count == scopeArray.count else { return nil }
        self.issuer = issuer
        self.issuedAt = issuedAt
        self.issuedAtMilliseconds = object["iat_ms"]?.intValue
        self.expiresAt = expiresAt
        self.tokenID = tokenID
        self.audience = audience
        self.subject = subject
        self.scopes = scopes
        self.name = user["n"]?.stringValue ?? ""
        self.email = user["e"]?.stringValue ?? ""
        self.permissionBits = bits
        self.groups = user["r"]?.arrayValue?.compactMap(\.stringValue) ?? []
    }
}
