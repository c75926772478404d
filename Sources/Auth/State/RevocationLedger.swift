import ConfigRepo
import Synchronization
import WebServer

/// What makes otherwise valid tokens invalid: each user's last sign-out time (tokens issued
/// before it are refused) and explicitly revoked token ids (kept until they would expire).
/// Stored in `<state>/auth/revocations.json`.
public final class RevocationLedger: Sendable {
    private struct Table { var signedOut: [String: Int] = [:]; var revokedTokens: [String: Int] = [:] }
    private let file: StateFile
    private let table: Mutex<Table>

    public init(authDirectory: String) throws {
        file = StateFile(directory: authDirectory, name: "revocations.json")
        var loaded = Table()
        if let json = try file.readJSON() {
            for (key, value) in json["signed_out"]?.objectValue ?? [:] { loaded.signedOut[key] = value.intValue }
            for (key, value) in json["revoked_tokens"]?.objectValue ?? [:] { loaded.revokedTokens[key] = value.intValue }
        }
        table = Mutex(loaded)
    }

    /// Records that `userID` signed out at `time`: every token issued at or before it is refused.
    public func signOut(_ userID: String, at time: Int) {
        save { $0.signedOut[userID] = time }
    }

    /// Revokes one access token until `expiresAt`.
    public func revokeToken(_ tokenID: String, expiresAt: Int, now: Int) {
        save { table in
            table.revokedTokens = table.revokedTokens.filter { $0.value > now }
            table.revokedTokens[tokenID] = expiresAt
        }
    }

    /// Whether a token issued at `issuedAt` to `userID` with id `tokenID` is refused.
    public func isRevoked(userID: String, tokenID: String, issuedAt: Int) -> Bool {
        table.withLock { table in
            if let signedOut = table.signedOut[userID], issuedAt <= signedOut { return true }
            return table.revokedTokens[tokenID] != nil
        }
    }

    public func lastSignOut(_ userID: String) -> Int? { table.withLock { $0.signedOut[userID] } }

    private func save(_ change: (inout Table) -> Void) {
        let copy = table.withLock { table -> Table in
            change(&table)
            return table
        }
        try? file.writeJSON(.object([
            "signed_out": .object(copy.signedOut.mapValues(JSONValue.int)),
            "revoked_tokens": .object(copy.revokedTokens.mapValues(JSONValue.int)),
        ]))
    }
}
