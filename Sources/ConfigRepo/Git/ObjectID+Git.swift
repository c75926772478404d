import CGit2

private let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

extension ObjectID {
    /// The id of a libgit2 `git_oid`.
    init(_ oid: git_oid) {
        var oid = oid
        let text = withUnsafeBytes(of: &oid.id) { raw -> String in
            String(unsafeUninitializedCapacity: 40) { buffer in
                for index in 0..<20 {
                    let byte = raw[index]
                    buffer[2 * index] = hexDigits[Int(byte >> 4)]
                    buffer[2 * index + 1] = hexDigits[Int(byte & 0x0f)]
                }
                return 40
            }
        }
        self.hex = text
    }

    /// The libgit2 form of this id.
    var oid: git_oid {
        var oid = git_oid()
        _ = hex.withCString { git_oid_fromstrn(&oid, $0, 40) }
        return oid
    }
}

extension git_oid {
    /// Byte-wise equality of two object ids.
    static func same(_ lhs: git_oid, _ rhs: git_oid) -> Bool {
        var lhs = lhs, rhs = rhs
        return git_oid_cmp(&lhs, &rhs) == 0
    }
}
