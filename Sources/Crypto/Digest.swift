import CCrypto

/// The message digests BackOffice uses, over OpenSSL. MD5 and SHA-1 only where a protocol
/// requires them (PJLink authentication; the WebSocket handshake and git packs).
public enum Digest: Sendable {
    case md5, sha1, sha256, sha512

    var kind: cc_digest_kind {
        switch self {
        case .md5: CC_MD5
        case .sha1: CC_SHA1
        case .sha256: CC_SHA256
        case .sha512: CC_SHA512
        }
    }

    /// The output size in bytes.
    public var byteCount: Int { cc_digest_size(kind) }

    /// The digest of `bytes`.
    public func hash(_ bytes: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: byteCount)
        guard cc_digest(kind, bytes, bytes.count, &out) == 1 else { fatalError("OpenSSL digest \(self) failed") }
        return out
    }

    /// The digest of `text`'s UTF-8 bytes.
    public func hash(_ text: String) -> [UInt8] { hash(Array(text.utf8)) }

    /// The digest of `text` as lowercase hexadecimal.
    public func hex(_ text: String) -> String { Hex.encode(hash(text)) }

    /// The digest of `text` as base64url: a stable, non-reversible name for a secret token (what
    /// state files store instead of the token).
    public func base64URL(of text: String) -> String { Base64URL.encode(hash(text)) }
}

/// A digest fed piece by piece (a git pack's trailing SHA-1 over megabytes of entries).
public final class DigestStream {
    private let stream: OpaquePointer
    private let digest: Digest

    /// Starts a digest; nil only when OpenSSL cannot allocate one.
    public init?(_ digest: Digest) {
        guard let stream = cc_digest_stream_new(digest.kind) else { return nil }
        self.stream = stream
        self.digest = digest
    }

    deinit { cc_digest_stream_free(stream) }

    /// Adds `bytes`; false when OpenSSL fails.
    public func update(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.isEmpty || cc_digest_stream_update(stream, bytes.baseAddress, bytes.count) == 1
    }

    /// The digest of everything added; nil when OpenSSL fails. Call once.
    public func finish() -> [UInt8]? {
        var out = [UInt8](repeating: 0, count: digest.byteCount)
        return cc_digest_stream_finish(stream, &out) == 1 ? out : nil
    }
}
