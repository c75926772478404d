import ConfigRepo
import WebServer

/// What makes otherwise valid tokens invalid: each user's last sign-out time (tokens issued
/// before it are refused) and explicitly revoked token ids (kept until they would expire).
/// Stored in `<state>/auth/revocations.json` (a `SharedState`: `backoffice user …` signs a user
/// out while the server runs).
///
/// Times are in milliseconds, so a token issued in the second after a sign-out works; a token
/// that carries only `iat` (seconds) counts as issued at the start of its second, and a
/// sign-out recorded in seconds at the end of its second: in doubt, the token is refused.
public final class RevocationLedger: Sendable {
    struct Table: Sendable {
        var signedOut: [String: Int] = [:]  // milliseconds
        var revokedTokens: [String: Int] = [:]  // expiry, seconds
    }
    private let state: SharedState<Table>

    public init(authDirectory: String) throws {
        state = try SharedState(StateFile(directory: authDirectory, name: "revocations.json"), decode: { json in
            var table = Table()
            // Files written before milliseconds: the end of the recorded second.
            for (key, value) in json?["signed_out"]?.objectValue ?? [:] { table.signedOut[key] = value.intValue.map { $0 * 1000 + 999 } }
            for (key, value) in json?["signed_out_ms"]?.objectValue ?? [:] { table.signedOut[key] = value.intValue }
            for (key, value) in json?["revoked_tokens"]?.objectValue ?? [:] { table.revokedTokens[key] = value.intValue }
            return table
        }, encode: { table in
            .object(["signed_out_ms": .object(table.signedOut.mapValues(JSONValue.int)),
                     "revoked_tokens": .object(table.revokedTokens.mapValues(JSONValue.int))])
        })
    }

    /// Records that `userID` signed out at `milliseconds`: every token issued at or before it is refused.
    public func signOut(_ userID: String, atMilliseconds milliseconds: Int) {
        _ = try? state.update { table in table.signedOut[userID] = max(table.signedOut[userID] ?? 0, milliseconds) }
    }

    /// Records a sign-out known to the second: the whole second counts (fail-closed).
    public func signOut(_ userID: String, at seconds: Int) {
        signOut(userID, atMilliseconds: seconds * 1000 + 999)
    }

    /// Revokes one access token until `expiresAt`.
    public func revokeToken(_ tokenID: String, expiresAt: Int, now: Int) {
        _ = try? state.update { table in
            table.revokedTokens = table.revokedTokens.filter { $0.value > now }
            table.revokedTokens[tokenID] = expiresAt
        }
    }

    /// Whether a token issued at `issuedAtMilliseconds` to `userID` with id `tokenID` is refused.
    public func isRevoked(userID: String, tokenID: String, issuedAtMilliseconds: Int) -> Bool {
        let table = state.current
        if let signedOut = table.signedOut[userID], issuedAtMilliseconds <= signedOut { return true }
        return table.revokedTokens[tokenID] != nil
    }
}
