import Crypto

/// MD5 (RFC 1321), for device protocols that still use it (PJLink authentication).
/// Not for anything that needs to be secure.
public enum MD5 {
    /// The digest of `text` as 32 lowercase hexadecimal digits.
    public static func hex(_ text: String) -> String { Digest.md5.hex(text) }

    /// The 16-byte digest of `message`.
    public static func digest(_ message: [UInt8]) -> [UInt8] { Digest.md5.hash(message) }
}
