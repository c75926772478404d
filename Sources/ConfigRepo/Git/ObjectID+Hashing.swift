import CGit2

extension ObjectID {
    /// The id git gives `bytes` as a blob: a content digest (SHA-1) for cache keys, such as
    /// the version of DriverKit's sources.
    public static func blob(hashing bytes: [UInt8]) -> ObjectID {
        GitLibrary.ensureInitialised()
        var oid = git_oid()
        _ = bytes.withUnsafeBytes { git_odb_hash(&oid, $0.baseAddress, $0.count, GIT_OBJECT_BLOB) }
        return ObjectID(oid)
    }
}
