import Crypto

/// SHA-1 over a stream of bytes: object ids, and the checksums that end packs and pack
/// indexes (Crypto's digest).
///
/// Not thread-safe: each writer or reader owns one.
final class SHA1 {
    private var stream: DigestStream

    init() {
        stream = Self.start()
    }

    func update(_ bytes: UnsafeRawBufferPointer) {
        guard stream.update(bytes) else { fatalError("SHA-1 failed") }
    }

    func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// The digest of everything since the last one; starts a new one.
    func finish() -> ObjectID {
        guard let digest = stream.finish() else { fatalError("SHA-1 failed") }
        stream = Self.start()
        return digest.withUnsafeBytes { ObjectID(bytes: $0) }
    }

    private static func start() -> DigestStream {
        guard let stream = DigestStream(.sha1) else { fatalError("cannot start a SHA-1 digest") }
        return stream
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
