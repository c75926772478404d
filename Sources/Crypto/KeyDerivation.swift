import CCrypto

/// Keys from secrets: HKDF for a high-entropy secret, scrypt for a password.
public enum KeyDerivation {
    /// HKDF with SHA-256 (RFC 5869), `length` bytes. An empty salt means "no salt". Nil only when
    /// OpenSSL fails.
    public static func hkdfSHA256(key: [UInt8], salt: [UInt8] = [], info: [UInt8], length: Int) -> [UInt8]? {
        var out = [UInt8](repeating: 0, count: length)
        let status = cc_hkdf_sha256(key, key.count, salt, salt.count, info, info.count, &out, length)
        return status == 1 ? out : nil
    }

    /// scrypt (RFC 7914) with cost `n`, block size `r` and parallelism `p`, `length` bytes. Nil when
    /// the parameters are refused or OpenSSL fails.
    public static func scrypt(password: [UInt8], salt: [UInt8], n: UInt64, r: UInt64, p: UInt64, length: Int) -> [UInt8]? {
        var out = [UInt8](repeating: 0, count: length)
        let status = cc_scrypt(password, password.count, salt, salt.count, n, r, p, &out, length)
        return status == 1 ? out : nil
    }
}
