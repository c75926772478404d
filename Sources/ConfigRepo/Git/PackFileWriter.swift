import CGit2
import CGit2Shim
import Crypto

/// Streams a version-2 pack into libgit2's indexer, which stores it in the pack directory
/// and writes its `.idx`: the 12-byte header, one entry per object (whole, or as an
/// `OFS_DELTA` on an earlier entry), then the SHA-1 of everything before.
///
/// Entries are deflated at zlib level 1: packing runs beside the writers, and size comes
/// from the deltas, not from the compression level.
final class PackFileWriter {
    private let indexer: OpaquePointer
    private let hash: DigestStream
    private var buffer: [UInt8] = []
    private var offset = 0
    private var progress = git_indexer_progress()
    /// Objects written so far.
    private(set) var count = 0

    /// Starts a pack of exactly `objectCount` entries in `packDirectory`.
    init(packDirectory: String, objectCount: Int) throws(GitError) {
        var options = git_indexer_options()
        try GitError.check(git_indexer_options_init(&options, UInt32(GIT_INDEXER_OPTIONS_VERSION)), "indexer options")
        var indexer: OpaquePointer?
        try GitError.check(git_indexer_new(&indexer, packDirectory, 0, nil, &options), "git_indexer_new")
        guard let hash = DigestStream(.sha1) else {
            git_indexer_free(indexer)
            throw GitError(code: -1, message: "cannot start SHA-1", operation: "write pack")
        }
        self.indexer = indexer!
        self.hash = hash
        buffer.append(contentsOf: Array("PACK".utf8))
        appendBigEndian(2)
        appendBigEndian(UInt32(objectCount))
    }

    deinit {
        git_indexer_free(indexer)
    }

    /// Appends a whole object of `type` (commit, tree, blob or tag); returns its offset.
    @discardableResult
    func appendWhole(type: git_object_t, data: UnsafeRawBufferPointer) throws(GitError) -> Int {
        let start = offset + buffer.count
        appendEntryHeader(type: UInt8(truncatingIfNeeded: type.rawValue), size: data.count)
        guard appendDeflated(data) else { throw GitError(code: -1, message: "zlib deflate failed", operation: "write pack") }
        count += 1
        try flushIfLarge()
        return start
    }

    /// Appends `delta` (see ``PrefixSuffixDelta``) against the entry at `baseOffset`;
    /// returns the new entry's offset.
    @discardableResult
    func appendDelta(_ delta: [UInt8], baseOffset: Int) throws(GitError) -> Int {
        let start = offset + buffer.count
        appendEntryHeader(type: 6, size: delta.count)  // OBJ_OFS_DELTA
        // The distance back to the base, big-endian 7-bit groups, each continuation
        // group stored minus one.
        var distance = start - baseOffset
        var encoded: [UInt8] = [UInt8(distance & 0x7f)]
        distance >>= 7
        while distance > 0 {
            distance -= 1
            encoded.append(0x80 | UInt8(distance & 0x7f))
            distance >>= 7
        }
        buffer.append(contentsOf: encoded.reversed())
        let deflated = delta.withUnsafeBytes { raw in appendDeflated(raw) }
        guard deflated else { throw GitError(code: -1, message: "zlib deflate failed", operation: "write pack") }
        count += 1
        try flushIfLarge()
        return start
    }

    /// Writes the checksum, lets the indexer finish the `.pack` and `.idx`, and returns
    /// the pack's name (the hex after `pack-`).
    func finish() throws(GitError) -> String {
        try flush()
        guard let digest = hash.finish() else {
            throw GitError(code: -1, message: "cannot finish SHA-1", operation: "write pack")
        }
        let appended = digest.withUnsafeBytes { raw in git_indexer_append(indexer, raw.baseAddress, raw.count, &progress) }
        try GitError.check(appended, "git_indexer_append")
        try GitError.check(git_indexer_commit(indexer, &progress), "git_indexer_commit")
        guard let name = git_indexer_name(indexer) else {
            throw GitError(code: -1, message: "indexer gave no pack name", operation: "write pack")
        }
        return String(cString: name)
    }

    /// Type (3 bits) and size: 4 bits in the first byte, then 7 bits per byte.
    private func appendEntryHeader(type: UInt8, size: Int) {
        var rest = size >> 4
        var byte = (type << 4) | UInt8(size & 0x0f)
        while rest > 0 {
            buffer.append(byte | 0x80)
            byte = UInt8(rest & 0x7f)
            rest >>= 7
        }
        buffer.append(byte)
    }

    /// Appends `data` as one zlib stream; false when zlib fails.
    private func appendDeflated(_ data: UnsafeRawBufferPointer) -> Bool {
        let bound = cgit2_deflate_bound(data.count)
        let start = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: bound))
        let written = buffer.withUnsafeMutableBytes { out in
            cgit2_deflate(1, data.baseAddress, data.count, out.baseAddress! + start, bound)
        }
        guard written >= 0 else {
            buffer.removeLast(bound)
            return false
        }
        buffer.removeLast(bound - Int(written))
        return true
    }

    private func appendBigEndian(_ value: UInt32) {
        withUnsafeBytes(of: value.bigEndian) { buffer.append(contentsOf: $0) }
    }

    private func flushIfLarge() throws(GitError) {
        if buffer.count >= 1 << 20 { try flush() }
    }

    /// Hands the buffered bytes to the hash and the indexer.
    private func flush() throws(GitError) {
        guard !buffer.isEmpty else { return }
        let code = buffer.withUnsafeBytes { raw -> Int32 in
            guard hash.update(raw) else { return -1 }
            return git_indexer_append(indexer, raw.baseAddress, raw.count, &progress)
        }
        try GitError.check(code, "git_indexer_append")
        offset += buffer.count
        buffer.removeAll(keepingCapacity: true)
    }
}
