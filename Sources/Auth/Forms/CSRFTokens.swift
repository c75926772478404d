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

    /// Loads `<state>/site-csrf.key`, creating it (32 random bytes, mode 0600) on first use.
    public static func load(stateDirectory: String) throws -> CSRFTokens {
        let path = stateDirectory + "/site-csrf.key"
        if let data = FileManager.default.contents(atPath: path), data.count >= 32 {
            return CSRFTokens(key: [UInt8](data))
        }
        let key = SecureRandom.bytes(32)
        guard FileManager.default.createFile(atPath: path, contents: Data(key), attributes: [.posixPermissions: 0o600]) else {
            throw CSRFKeyError(path: path)
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
