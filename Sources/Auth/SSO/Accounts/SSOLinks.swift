import ConfigRepo

/// Which user each SSO identity is (PlaceOS's UserAuthLookup): `<state>/auth/sso-links.json`,
/// keyed by domain, strategy and the provider's uid. Kept in the state directory, not the
/// configuration: it changes on sign-in, not by an edit, and a lost file only means the next
/// sign-in finds the user again by email (docs/auth.md, "Single sign-on").
public final class SSOLinks: Sendable {
    let state: SharedState<[String: String]>
    /// Held across a whole SSO sign-in (look up, commit the user, link): `sso-signin.lock`.
    private let signInLock: StateFile

    public init(authDirectory: String) throws {
        signInLock = StateFile(directory: authDirectory, name: "sso-signin")
        state = try SharedState(StateFile(directory: authDirectory, name: "sso-links.json"), decode: { json in
            var table: [String: String] = [:]
            for (key, value) in json?.objectValue ?? [:] { table[key] = value.stringValue }
            return table
        }, encode: { .object($0.mapValues(JSONValue.string)) })
    }

    static func key(domainID: String, identity: SSOIdentity) -> String {
        domainID + " " + identity.strategyID + " " + identity.uid
    }

    public func userID(domainID: String, identity: SSOIdentity) -> String? {
        state.current[Self.key(domainID: domainID, identity: identity)]
    }

    public func link(domainID: String, identity: SSOIdentity, userID: String) throws {
        try state.update { $0[Self.key(domainID: domainID, identity: identity)] = userID }
    }

    /// Runs `body` holding the links file's lock, so two first sign-ins of one person (two
    /// tabs, two processes) make one user, not two.
    func exclusively<Result>(_ body: () throws -> Result) throws -> Result {
        try signInLock.withLock(body)
    }
}
