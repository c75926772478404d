import ConfigRepo

/// Who an identity provider says signed in, in our terms.
public struct SSOIdentity: Sendable, Equatable {
    /// The strategy (`oauth_strat-…`, `adfs_strat-…`) that vouched for this person.
    public var strategyID: String
    /// The provider's stable id for the person (`sub`, the SAML NameID or `uid_attribute`).
    public var uid: String
    public var email: String
    public var name: String
    public var groups: [String]
    /// False when the provider says the email is not verified: such an identity never adopts
    /// an existing user by email.
    public var emailVerified: Bool?

    public init(strategyID: String, uid: String, email: String, name: String, groups: [String], emailVerified: Bool? = nil) {
        self.strategyID = strategyID
        self.uid = uid
        self.email = email
        self.name = name
        self.groups = groups
        self.emailVerified = emailVerified
    }

    /// Reads an identity from claims (ID token and userinfo merged) with `mappings` (our field
    /// → claim name; PlaceOS `info_mappings`). Defaults: `sub`, `email` (else a
    /// `preferred_username` or `upn` that is an email address, as Entra ID sends), `name` (else
    /// given and family names), `groups` (else `roles`).
    public static func from(claims: [String: JSONValue], mappings: [String: String], strategyID: String) -> SSOIdentity? {
        func text(_ name: String) -> String? {
            switch claims[name] {
            case .string(let value)?: value.isEmpty ? nil : value
            case .number(let literal)?: literal
            default: nil
            }
        }
        guard let uid = text(mappings["uid"] ?? "sub") ?? (mappings["uid"] == nil ? text("id") : nil) else { return nil }
        let email = mappings["email"].flatMap(text)
            ?? [text("email"), text("preferred_username"), text("upn")].compactMap { $0 }.first { AccountWriter.isPlausibleEmail($0) }
            ?? ""
        let given = text(mappings["first_name"] ?? "given_name"), family = text(mappings["last_name"] ?? "family_name")
        let name = text(mappings["name"] ?? "name") ?? [given, family].compactMap { $0 }.joined(separator: " ")
        let groupClaim = claims[mappings["groups"] ?? "groups"] ?? (mappings["groups"] == nil ? claims["roles"] : nil)
        let groups: [String] = switch groupClaim {
        case .array(let items)?: items.compactMap(\.stringValue)
        case .string(let one)?: [one]
        default: []
        }
        return SSOIdentity(strategyID: strategyID, uid: uid, email: email, name: name.isEmpty ? email : name,
                           groups: groups, emailVerified: claims["email_verified"]?.boolValue)
    }
}
