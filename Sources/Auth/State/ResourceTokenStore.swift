import ConfigRepo

/// The tokens a user's single sign-on provider gave at their last OAuth2 / OpenID sign-in, for
/// PlaceOS's `POST users/resource_token` (delegated access to MS Graph, Google, … in the user's
/// name). In `<state>/auth/resource-tokens.json`, never the configuration repository; each
/// user's tokens sealed with the deployment secret (`SecretBox`) and bound to that user, so the
/// file alone gives nothing away. Kept only while a `SecretBox` is available.
public final class ResourceTokenStore: Sendable {
    /// What the provider answered: its access token, the refresh token if it gave one, and when
    /// the access token expires (Unix seconds; nil when the provider did not say).
    public struct Tokens: Sendable, Equatable {
        public var accessToken: String
        public var refreshToken: String?
        public var expiresAt: Int?
        /// The OAuth strategy that issued them (where a refresh goes).
        public var strategyID: String

        public init(accessToken: String, refreshToken: String?, expiresAt: Int?, strategyID: String) {
            self.accessToken = accessToken
            self.refreshToken = refreshToken
            self.expiresAt = expiresAt
            self.strategyID = strategyID
        }
    }

    private let state: SharedState<[String: String]>
    private let box: SecretBox?

    public init(authDirectory: String, box: SecretBox?) throws {
        self.box = box
        state = try SharedState(StateFile(directory: authDirectory, name: "resource-tokens.json"),
                                decode: { json in (json?.objectValue ?? [:]).compactMapValues(\.stringValue) },
                                encode: { table in .object(table.mapValues(JSONValue.string)) })
    }

    /// `userID`'s tokens, if a sign-in left some that this deployment can open.
    public func tokens(of userID: String) -> Tokens? {
        guard let box, let sealed = state.current[userID],
              let value = try? box.open(sealed, binding: Self.binding(userID)), let members = value.objectValue,
              let access = members["access_token"]?.stringValue, let strategy = members["strategy_id"]?.stringValue else { return nil }
        return Tokens(accessToken: access, refreshToken: members["refresh_token"]?.stringValue,
                      expiresAt: members["expires_at"]?.intValue, strategyID: strategy)
    }

    /// Keeps `tokens` as `userID`'s (replacing what was kept); nothing without a `SecretBox`.
    public func save(_ tokens: Tokens, for userID: String) throws {
        guard let box else { return }
        var members: [String: JSONValue] = ["access_token": .string(tokens.accessToken), "strategy_id": .string(tokens.strategyID)]
        if let refresh = tokens.refreshToken { members["refresh_token"] = .string(refresh) }
        if let expires = tokens.expiresAt { members["expires_at"] = .int(expires) }
        let sealed = box.seal(.object(members), binding: Self.binding(userID))
        try state.update { $0[userID] = sealed }
    }

    /// Forgets `userID`'s tokens (PlaceOS's `DELETE users/:id/resource_token`; a deleted user).
    public func remove(_ userID: String) throws {
        try state.update { $0[userID] = nil }
    }

    /// Sealed for this user alone: an envelope moved to another user's entry does not open.
    private static func binding(_ userID: String) -> SecretBinding {
        .field(objectID: userID, path: "sso_resource_token")
    }
}
