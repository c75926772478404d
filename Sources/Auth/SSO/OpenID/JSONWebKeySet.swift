import ConfigRepo
import Crypto

/// The signing keys an OpenID provider publishes at its `jwks_uri` (RFC 7517), as public keys
/// we can verify with: RSA (`RS256`, at least 2048 bits) and EC P-256 (`ES256`). Keys for
/// encryption (`use: enc`), other curves and other types are skipped, not errors.
public struct JSONWebKeySet: Sendable {
    public struct Key: Sendable {
        /// The key id (`kid`); nil when the provider gives none.
        public var id: String?
        public var key: PublicKey
    }

    public var keys: [Key]

    public init(keys: [Key]) { self.keys = keys }

    /// The usable keys of a JWKS document; nil when it is not one.
    public init?(json: JSONValue) {
        guard let entries = json.objectValue?["keys"]?.arrayValue else { return nil }
        keys = entries.compactMap { entry in
            guard let members = entry.objectValue else { return nil }
            if let use = members["use"]?.stringValue, use != "sig" { return nil }
            let declared = members["alg"]?.stringValue
            let key: PublicKey?
            switch members["kty"]?.stringValue {
            case "RSA":
                guard declared == nil || declared == "RS256",
                      let modulus = members["n"]?.stringValue.flatMap(Base64URL.decode),
                      let exponent = members["e"]?.stringValue.flatMap(Base64URL.decode) else { return nil }
                key = PublicKey.rsa(modulus: modulus, exponent: exponent)
            case "EC":
                guard declared == nil || declared == "ES256", members["crv"]?.stringValue == "P-256",
                      let x = members["x"]?.stringValue.flatMap(Base64URL.decode),
                      let y = members["y"]?.stringValue.flatMap(Base64URL.decode) else { return nil }
                key = PublicKey.p256(x: x, y: y)
            default:
                key = nil
            }
            return key.map { Key(id: members["kid"]?.stringValue, key: $0) }
        }
    }

    /// The keys that may have signed a token with this `kid` and algorithm: the one with that
    /// id, or — when the token names no key — every key of the algorithm.
    public func candidates(kid: String?, algorithm: SignatureAlgorithm) -> [PublicKey] {
        keys.filter { $0.key.algorithm == algorithm && (kid == nil || $0.id == kid) }.map(\.key)
    }
}
