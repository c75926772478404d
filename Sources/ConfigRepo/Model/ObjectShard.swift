/// The shard folder of an object in a sharded directory: two lowercase hex digits, the low
/// byte of the 32-bit FNV-1a hash of the id's UTF-8 bytes.
///
/// Git rewrites a whole tree object whenever one entry changes; a directory of 50,000
/// modules is a tree of 50,000 entries, rewritten and compressed on every commit. 256
/// shards make that 256 trees of ~200 entries, so a commit writes about 1/200th as much.
/// Which directories are sharded is declared in `backoffice.json` (`layout.sharded`);
/// both places are read either way (docs/config-format.md).
public enum ObjectShard {
    private static let hexDigits = Array("0123456789abcdef")

    public static func of(_ id: String) -> String {
        var hash: UInt32 = 0x811c_9dc5
        for byte in id.utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 0x0100_0193
        }
        let low = UInt8(truncatingIfNeeded: hash)
        return String([hexDigits[Int(low >> 4)], hexDigits[Int(low & 0xf)]])
    }
}
