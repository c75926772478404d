import CCrypto

/// An RSA private key for RS256 signatures (JWTs), held by OpenSSL. Immutable after loading.
public final class RSAKey: @unchecked Sendable {
    // OpenSSL EVP_PKEY: safe to use from several threads for signing and verifying.
    private let key: UnsafeMutableRawPointer
    /// The JWK key id: base64url of the SHA-256 of the modulus, first 16 bytes.
    public let keyID: String
    /// Public modulus and exponent, big-endian.
    public let modulus: [UInt8]
    public let exponent: [UInt8]

    /// Loads a PEM private key; nil when the text is not an RSA private key.
    public init?(pem: String) {
        let bytes = Array(pem.utf8)
        guard let key = bytes.withUnsafeBufferPointer({ buffer in
            buffer.withMemoryRebound(to: CChar.self) { cc_rsa_load_private_pem($0.baseAddress, $0.count) }
        }) else { return nil }
        var modulus = [UInt8](repeating: 0, count: 1024), exponent = [UInt8](repeating: 0, count: 16)
        var modulusLength = modulus.count, exponentLength = exponent.count
        guard cc_rsa_public_components(key, &modulus, &modulusLength, &exponent, &exponentLength) == 1 else {
            cc_key_free(key)
            return nil
        }
        self.key = key
        self.modulus = Array(modulus[..<modulusLength])
        self.exponent = Array(exponent[..<exponentLength])
        keyID = Base64URL.encode(Array(Digest.sha256.hash(self.modulus).prefix(16)))
    }

    deinit { cc_key_free(key) }

    /// A new PEM private key of `bits` bits.
    public static func generatePEM(bits: Int = 2048) -> String? {
        var pointer: UnsafeMutablePointer<CChar>?
        var length = 0
        guard cc_rsa_generate_pem(Int32(bits), &pointer, &length) == 1, let pointer else { return nil }
        defer { cc_free(pointer) }
        return String(decoding: UnsafeRawBufferPointer(start: pointer, count: length), as: UTF8.self)
    }

    /// RSASSA-PKCS1-v1_5 with SHA-256 (RS256) over `message`.
    public func sign(_ message: [UInt8]) -> [UInt8] {
        var signature = [UInt8](repeating: 0, count: Int(cc_rsa_signature_size(key)))
        var length = signature.count
        guard cc_rsa_sign_sha256(key, message, message.count, &signature, &length) == 1 else {
            fatalError("OpenSSL RSA signing failed")
        }
        return Array(signature[..<length])
    }

    /// Whether `signature` is an RS256 signature of `message` by this key.
    public func verify(_ message: [UInt8], signature: [UInt8]) -> Bool {
        cc_rsa_verify_sha256(key, message, message.count, signature, signature.count) == 1
    }

    /// The public key as a JWK (RFC 7517) for the JWKS endpoint.
    public var publicJWK: [String: String] {
        ["kty": "RSA", "use": "sig", "alg": "RS256", "kid": keyID,
         "n": Base64URL.encode(modulus), "e": Base64URL.encode(exponent)]
    }
}
