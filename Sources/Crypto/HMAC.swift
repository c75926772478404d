import CCrypto

/// Keyed message authentication (RFC 2104) over OpenSSL.
public enum HMAC {
    /// The HMAC of `message` under `key` with `digest` (`byteCount` bytes).
    public static func code(_ digest: Digest, key: [UInt8], message: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: digest.byteCount)
        guard cc_hmac(digest.kind, key, key.count, message, message.count, &out) == 1 else {
            fatalError("OpenSSL HMAC failed")
        }
        return out
    }
}

/// Comparison that takes as long whatever the contents (tokens, MACs, password hashes).
public enum ConstantTime {
    /// Whether `a` and `b` hold the same bytes; only the lengths may leak.
    public static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        a.count == b.count && cc_equal(a, b, a.count) == 1
    }

    /// Whether two strings have the same UTF-8 bytes, compared in constant time.
    public static func equal(_ a: String, _ b: String) -> Bool { equal(Array(a.utf8), Array(b.utf8)) }
}
