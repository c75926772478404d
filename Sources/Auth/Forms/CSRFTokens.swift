#if canImport(Glibc)
import Glibc
#endif
import ConfigRepo
import Crypto
import Foundation
import WebServer

/// Form tokens against cross-site request forgery: HMAC-SHA256, under a deployment key, of
/// what ties a form to one browser (its binding: today a random cookie, later the session id)
/// and the form's purpose (the path it posts to). A forged form from another site cannot
/// know the binding, so it cannot make the token.
public struct CSRFTokens: Sendable {
    private let key: [UInt8]

    public init(key: [UInt8]) {
        precondition(key.count >= 32, "a CSRF key needs at least 32 bytes")
        self.key = key
    }

    /// Loads `<state>/site-csrf.key` (by the rule of every secret file, `SecretFile`: a key
    /// others could read is refused), creating it (32 random bytes, mode 0600) on first use.
    public static func load(stateDirectory: String) throws -> CSRFTokens {
        let path = stateDirectory + "/site-csrf.key"
        if let bytes = try SecretFile.read(path, maximumBytes: 4096) {
            guard bytes.count >= 32 else { throw SecretFileError(path: path, message: "it is \(bytes.count) bytes, a CSRF key has 32; delete it to make a new one") }
            return CSRFTokens(key: bytes)
        }
        let key = SecureRandom.bytes(32)
        // Written under a temporary name, then linked into place without replacing anything:
        // two processes starting at once agree on one key.
        let file = StateFile(directory: stateDirectory, name: ".site-csrf.key.new-" + SecureRandom.token(6))
        try file.write(key)
        defer { unlink(file.path) }
        if link(file.path, path) != 0 {
            guard errno == EEXIST, let existing = try SecretFile.read(path, maximumBytes: 4096), existing.count >= 32 else {
                throw CSRFKeyError(path: path)
            }
            return CSRFTokens(key: existing)
        }
        return CSRFTokens(key: key)
    }

    struct CSRFKeyError: Error, CustomStringConvertible {
        var path: String
        var description: String { "cannot write the CSRF key \(path)" }
    }

    /// The token for a form posting to `purpose`, in a browser with `binding`.
    public func token(binding: String, purpose: String) -> String {
        Hex.encode(HMAC.code(.sha256, key: key, message: Array((binding + "\n" + purpose).utf8)))
    }

    /// Whether `token` is the token for `binding` and `purpose` (constant-time comparison).
    public func isValid(_ token: String?, binding: String?, purpose: String) -> Bool {
        guard let token, let binding, !binding.isEmpty else { return false }
        return ConstantTime.equal(token, self.token(binding: binding, purpose: purpose))
    }
}
