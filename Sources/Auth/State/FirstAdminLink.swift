import ConfigRepo
import Crypto
import Synchronization
import WebServer

/// The one-time link `serve` prints when no administrator can sign in: it lets whoever has the
/// server's console create the first admin. Only the digest of the token is stored
/// (`<state>/auth/first-admin.json`); it expires after an hour and works once.
public final class FirstAdminLink: Sendable {
    public static let lifetime = 3600
    private let file: StateFile
    private let entry: Mutex<(digest: String, expiresAt: Int)?>

    public init(authDirectory: String) throws {
        file = StateFile(directory: authDirectory, name: "first-admin.json")
        if let json = try file.readJSON(), let digest = json["digest"]?.stringValue, let expires = json["expires_at"]?.intValue {
            entry = Mutex((digest, expires))
        } else {
            entry = Mutex(nil)
        }
    }

    /// A fresh token (replacing any earlier one).
    public func issue(now: Int) throws -> String {
        let token = SecureRandom.token(32)
        let digest = Digest.sha256.base64URL(of: token)
        entry.withLock { $0 = (digest, now + Self.lifetime) }
        try file.writeJSON(.object(["digest": .string(digest), "expires_at": .int(now + Self.lifetime)]))
        return token
    }

    public func isValid(_ token: String, now: Int) -> Bool {
        guard token.utf8.count == 43, let current = entry.withLock({ $0 }) else { return false }
        return current.expiresAt > now && ConstantTime.equal(Digest.sha256.base64URL(of: token), current.digest)
    }

    /// Uses the token up: true once for a valid token, false afterwards.
    public func consume(_ token: String, now: Int) -> Bool {
        let used = entry.withLock { current -> Bool in
            guard token.utf8.count == 43, let value = current, value.expiresAt > now,
                  ConstantTime.equal(Digest.sha256.base64URL(of: token), value.digest) else { return false }
            current = nil
            return true
        }
        if used { try? file.writeJSON(.object([:])) }
        return used
    }
}
