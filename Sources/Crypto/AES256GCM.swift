import CCrypto

/// AES-256 in Galois/Counter Mode: authenticated encryption with additional data.
public enum AES256GCM {
    /// Length of a key.
    public static let keyLength = 32
    /// Length of a nonce (the standard 96 bits). Never reuse one under the same key.
    public static let nonceLength = 12
    /// Length of the tag (the full 128 bits).
    public static let tagLength = 16

    /// `ciphertext || tag`, or nil for a key or nonce of the wrong length or an OpenSSL failure.
    public static func seal(key: [UInt8], nonce: [UInt8], aad: [UInt8], plaintext: [UInt8]) -> [UInt8]? {
        guard key.count == keyLength, nonce.count == nonceLength else { return nil }
        var out = [UInt8](repeating: 0, count: plaintext.count + tagLength)
        return cc_aes256gcm_seal(key, nonce, aad, aad.count, plaintext, plaintext.count, &out) == 1 ? out : nil
    }

    /// The plaintext of `ciphertext || tag`, or nil when the tag does not verify (wrong key,
    /// wrong additional data, altered bytes).
    public static func open(key: [UInt8], nonce: [UInt8], aad: [UInt8], sealed: [UInt8]) -> [UInt8]? {
        guard key.count == keyLength, nonce.count == nonceLength, sealed.count >= tagLength else { return nil }
        var out = [UInt8](repeating: 0, count: max(sealed.count - tagLength, 1))
        guard cc_aes256gcm_open(key, nonce, aad, aad.count, sealed, sealed.count, &out) == 1 else { return nil }
        return Array(out.prefix(sealed.count - tagLength))
    }
}
