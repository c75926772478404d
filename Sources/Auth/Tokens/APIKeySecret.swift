import Crypto
import WebServer

/// API keys as shown once to their owner: `<id>.<secret>`, where the id is the file name of
/// `api-keys/<id>.json` and the secret is 32 random bytes in base64url.
///
/// Only a salted hash is stored (`secret_hash`): `hmac-sha512$<salt>$<mac>`, where
/// mac = HMAC-SHA-512(key: secret, message: salt || id) — bound to the key's id, so a hash
/// copied to another key file does not match.
public enum APIKeySecret {
    /// Longest presented key accepted, in bytes.
    public static let maximumLength = 256

    /// A new secret and the hash to store for key `id`.
    public static func make(id: String) -> (secret: String, hash: String) {
        let secret = SecureRandom.token(32)
        return (secret, hash(secret: secret, id: id, salt: SecureRandom.bytes(16)))
    }

    static func hash(secret: String, id: String, salt: [UInt8]) -> String {
        let mac = HMAC.code(.sha512, key: Array(secret.utf8), message: salt + Array(id.utf8))
        return "hmac-sha512$\(Base64URL.encode(salt))$\(Base64URL.encode(mac))"
    }

    /// Splits a presented key into id and secret; nil when it is not of that shape.
    public static func split(_ presented: String) -> (id: String, secret: String)? {
        guard presented.utf8.count <= maximumLength, let dot = presented.lastIndex(of: ".") else { return nil }
        let id = String(presented[..<dot]), secret = String(presented[presented.index(after: dot)...])
        guard id.hasPrefix("key-"), !secret.isEmpty, id.utf8.count <= 80 else { return nil }
        return (id, secret)
    }

    /// Whether `secret` matches the stored hash for key `id`. A malformed hash never matches.
    public static func matches(secret: String, id: String, storedHash: String) -> Bool {
        let parts = storedHash.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "hmac-sha512", let salt = Base64URL.decode(parts[1]),
              let expected = Base64URL.decode(parts[2]), expected.count == 64 else { return false }
        let mac = HMAC.code(.sha512, key: Array(secret.utf8), message: salt + Array(id.utf8))
        return ConstantTime.equal(mac, expected)
    }
}
