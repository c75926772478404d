import ConfigRepo

/// What SSO sign-in keeps between requests: the providers' documents and keys, the sign-ins
/// in flight, and the links from IdP identities to users (docs/auth.md, "Single sign-on").
public final class SingleSignOn: Sendable {
    public let providers: ProviderDirectory
    public let pending: PendingSignIns
    public let links: SSOLinks

    public init(authDirectory: String, http: OutgoingHTTP = OutgoingHTTP()) throws {
        providers = ProviderDirectory(http: http)
        pending = PendingSignIns()
        links = try SSOLinks(authDirectory: authDirectory)
    }

    /// The SSO strategies of a domain, by name, for its sign-in page.
    static func strategies(of domainID: String, in snapshot: Snapshot) -> [ConfigDocument] {
        snapshot.all(.authStrategy)
            .filter { $0.string("authority_id") == domainID && ($0.id.hasPrefix(OAuthStrategy.idPrefix)) }
            .sorted { ($0.string("name") ?? $0.id, $0.id) < ($1.string("name") ?? $1.id, $1.id) }
    }
}

/// The provider names of PlaceOS's sign-in routes (`/auth/login?provider=…`).
enum SSOProvider: String {
    case oauth2
    case adfs

    static func of(strategyID: String) -> SSOProvider? {
        if strategyID.hasPrefix(OAuthStrategy.idPrefix) { return .oauth2 }
        if strategyID.hasPrefix("adfs_strat-") { return .adfs }
        return nil
    }
}
