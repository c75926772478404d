import CAuthCrypto

/// Small cryptographic helpers over OpenSSL (through the CAuthCrypto shim).
public enum AuthCrypto {
    /// `count` bytes from OpenSSL's CSPRNG. Crashes if the generator fails: nothing is safe then.
    public static func randomBytes(_ count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        guard ac_random(&out, count) == 1 else { fatalError("OpenSSL RAND_bytes failed") }
        return out
    }

    /// A random token of `count` bytes as base64url text (session ids, codes, refresh tokens).
    public static func randomToken(_ count: Int = 32) -> String { Base64URL.encode(randomBytes(count)) }

    public static func sha256(_ bytes: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        _ = ac_sha256(bytes, bytes.count, &out)
        return out
    }

    public static func sha256(_ text: String) -> [UInt8] { sha256(Array(text.utf8)) }

    /// A stable, non-reversible name for a secret token (what the state files store).
    public static func digest(_ token: String) -> String { Base64URL.encode(sha256(token)) }

    public static func hmacSHA512(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 64)
        guard ac_hmac_sha512(key, key.count, message, message.count, &out) == 1 else { fatalError("OpenSSL HMAC failed") }
        return out
    }

    /// Constant-time equality (length is not secret).
    public static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        a.count == b.count && ac_equal(a, b, a.count) == 1
    }

    public static func equal(_ a: String, _ b: String) -> Bool { equal(Array(a.utf8), Array(b.utf8)) }
}
