import CCrypto

/// Bytes and tokens from OpenSSL's CSPRNG (session ids, nonces, salts, one-time links).
public enum SecureRandom {
    /// `count` random bytes. Crashes if the generator fails: nothing would be safe then.
    public static func bytes(_ count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        guard cc_random(&out, count) == 1 else { fatalError("OpenSSL RAND_bytes failed") }
        return out
    }

    /// `count` random bytes as base64url text without padding (`token(32)` has 43 characters).
    public static func token(_ count: Int = 32) -> String { Base64URL.encode(bytes(count)) }

    /// `count` random bytes as lowercase hexadecimal (`hex(16)` has 32 characters).
    public static func hex(_ count: Int) -> String { Hex.encode(bytes(count)) }
}
