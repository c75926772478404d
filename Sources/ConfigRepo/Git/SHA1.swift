import COpenSSL

/// SHA-1 over a stream of bytes: object ids, and the checksums that end packs and pack indexes.
///
/// Not thread-safe: each writer or reader owns one and reuses it.
final class SHA1 {
    private let context: OpaquePointer

    init() {
        guard let context = EVP_MD_CTX_new() else { fatalError("OpenSSL cannot allocate a digest context") }
        self.context = context
        reset()
    }

    deinit { EVP_MD_CTX_free(context) }

    /// Starts a new digest.
    func reset() {
        guard EVP_DigestInit_ex(context, EVP_sha1(), nil) == 1 else { fatalError("OpenSSL has no SHA-1") }
    }

    func update(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        _ = EVP_DigestUpdate(context, bytes.baseAddress, bytes.count)
    }

    func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// The digest of everything since the last reset; starts a new one.
    func finish() -> ObjectID {
        var digest = [UInt8](repeating: 0, count: 64)
        _ = EVP_DigestFinal_ex(context, &digest, nil)
        reset()
        return digest.withUnsafeBytes { ObjectID(bytes: $0) }
    }
}

extension ObjectID {
    /// The id git gives `bytes` stored as an object of `type`: the SHA-1 of `type size\0bytes`.
    static func of(_ type: ObjectType, _ bytes: UnsafeRawBufferPointer, using hasher: SHA1) -> ObjectID {
        hasher.update(Array("\(type.name) \(bytes.count)\0".utf8))
        hasher.update(bytes)
        return hasher.finish()
    }

    /// The version (blob id) git gives a file holding `bytes`.
    public static func blob(_ bytes: [UInt8]) -> ObjectID {
        bytes.withUnsafeBytes { of(.blob, $0, using: SHA1()) }
    }
}
