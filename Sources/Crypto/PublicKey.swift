import CCrypto

/// The signature algorithms we verify for keys that others hold (an identity provider's ID
/// tokens): RS256 (RSASSA-PKCS1-v1_5 with SHA-256) and ES256 (ECDSA P-256 with SHA-256).
public enum SignatureAlgorithm: String, Sendable, CaseIterable {
    case rs256 = "RS256"
    case es256 = "ES256"
}

/// A public key to verify signatures with: an RSA key (at least 2048 bits) or an EC P-256 key,
/// built from the numbers a JWK carries. Held by OpenSSL; immutable.
public final class PublicKey: @unchecked Sendable {
    // OpenSSL EVP_PKEY: safe to verify with from several threads.
    private let key: UnsafeMutableRawPointer
    /// The one algorithm this key verifies: an RSA key never checks an ES256 signature, nor the reverse.
    public let algorithm: SignatureAlgorithm

    /// RSA keys shorter than this are refused.
    public static let minimumRSABits = 2048

    private init(key: UnsafeMutableRawPointer, algorithm: SignatureAlgorithm) {
        self.key = key
        self.algorithm = algorithm
    }

    deinit { cc_key_free(key) }

    /// An RSA public key for RS256 from its big-endian modulus and exponent; nil when OpenSSL
    /// refuses the numbers or the modulus is shorter than `minimumRSABits`.
    public static func rsa(modulus: [UInt8], exponent: [UInt8]) -> PublicKey? {
        guard !modulus.isEmpty, !exponent.isEmpty, exponent.count <= 8,
              let key = cc_rsa_public_from_components(modulus, modulus.count, exponent, exponent.count) else { return nil }
        guard cc_key_bits(key) >= minimumRSABits else {
            cc_key_free(key)
            return nil
        }
        return PublicKey(key: key, algorithm: .rs256)
    }

    /// An EC P-256 public key for ES256 from its 32-byte coordinates; nil when they are not a
    /// point on the curve.
    public static func p256(x: [UInt8], y: [UInt8]) -> PublicKey? {
        guard x.count == 32, y.count == 32, let key = cc_ec_p256_public_from_coordinates(x, y) else { return nil }
        return PublicKey(key: key, algorithm: .es256)
    }

    /// Whether `signature` (for ES256 the JWS form r ‖ s) signs `message` under this key with
    /// `algorithm`; false for any other algorithm than the key's own.
    public func verify(_ algorithm: SignatureAlgorithm, message: [UInt8], signature: [UInt8]) -> Bool {
        guard algorithm == self.algorithm else { return false }
        switch algorithm {
        case .rs256:
            guard !signature.isEmpty else { return false }
            return cc_rsa_verify_sha256(key, message, message.count, signature, signature.count) == 1
        case .es256:
            guard signature.count == 64 else { return false }
            return cc_ecdsa_p256_verify_sha256(key, message, message.count, signature) == 1
        }
    }
}
