import ConfigRepo
import Crypto
import WebServer

/// The one-time link `serve` prints when no administrator can sign in: it lets whoever has the
/// server's console create the first admin. Only the digest of the token is stored
/// (`<state>/auth/first-admin.json`); it expires after an hour and works once.
public final class FirstAdminLink: Sendable {
    public static let lifetime = 3600
    private struct Entry: Sendable { var digest: String; var expiresAt: Int }
    /// A `SharedState`: a link printed by one process and used in another still works once.
    private let state: SharedState<Entry?>

    public init(authDirectory: String) throws {
        state = try SharedState(StateFile(directory: authDirectory, name: "first-admin.json"), decode: { json in
            guard let digest = json?["digest"]?.stringValue, let expires = json?["expires_at"]?.intValue else { return nil }
            return Entry(digest: digest, expiresAt: expires)
        }, encode: { entry in
            guard let entry else { return .object([:]) }
            return .object(["digest": .string(entry.digest), "expires_at": .int(entry.expiresAt)])
        })
    }

    /// A fresh token (replacing any earlier one).
    public func issue(now: Int) throws -> String {
        let token = SecureRandom.token(32)
        let digest = Digest.sha256.base64URL(of: token)
        try state.update { $0 = Entry(digest: digest, expiresAt: now + Self.lifetime) }
        return token
    }

    public func isValid(_ token: String, now: Int) -> Bool {
        guard token.utf8.count == 43, let current = state.current else { return false }
        return current.expiresAt > now && ConstantTime.equal(Digest.sha256.base64URL(of: token), current.digest)
    }

    /// Uses the token up: true once for a valid token, false afterwards (also across processes:
    /// the check and the removal happen under the file's lock).
    public func consume(_ token: String, now: Int) -> Bool {
        (try? state.update { current -> Bool in
            guard token.utf8.count == 43, let value = current, value.expiresAt > now,
                  ConstantTime.equal(Digest.sha256.base64URL(of: token), value.digest) else { return false }
            current = nil
            return true
        }) ?? false
    }
}
