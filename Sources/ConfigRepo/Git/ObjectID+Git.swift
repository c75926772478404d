import CGit2

extension ObjectID {
    /// The id of a libgit2 `git_oid`.
    init(_ oid: git_oid) {
        var oid = oid
        self = withUnsafeBytes(of: &oid.id) { ObjectID(bytes: $0) }
    }

    /// The libgit2 form of this id.
    var oid: git_oid {
        var oid = git_oid()
        withBytes { bytes in withUnsafeMutableBytes(of: &oid.id) { $0.copyMemory(from: bytes) } }
        return oid
    }
}
