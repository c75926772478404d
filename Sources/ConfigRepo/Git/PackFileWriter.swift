#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes one version-2 pack and its index into a pack directory: the 12-byte header, one
/// entry per object (whole, or as an `OFS_DELTA` on an earlier entry), the SHA-1 of all
/// that; then the `.idx` with the sorted ids, CRC-32s and offsets. Both are written under
/// temporary names and renamed into place, pack first: git finds packs by their index, so
/// no reader ever sees a pack that is not whole.
///
/// Entries are deflated at zlib level 1: size comes from the deltas, and writes are on the
/// commit path.
final class PackFileWriter {
    private let packDirectory: String
    private let spares: SpareFiles?
    private let deflater: Deflater
    private let hash = SHA1()
    private var descriptor: Int32
    private let temporaryPath: String
    /// What the file held before (a spare is written over), to cut it to the pack's length.
    private let previousSize: Int
    private var buffer: [UInt8] = []
    private var written = 0
    private let expectedCount: Int
    private var entries: [(id: ObjectID, offset: Int, crc: UInt32)] = []

    /// Starts a pack of exactly `objectCount` entries in `packDirectory`, written into spare
    /// files when `spares` is given (else into new temporary files beside the packs).
    init(packDirectory: String, objectCount: Int, deflater: Deflater, spares: SpareFiles? = nil) throws(GitError) {
        self.packDirectory = packDirectory
        self.spares = spares
        self.deflater = deflater
        expectedCount = objectCount
        (descriptor, temporaryPath, previousSize) = try Self.temporaryFile(in: packDirectory, prefix: "tmp_pack_", spares: spares)
        entries.reserveCapacity(objectCount)
        buffer.append(contentsOf: Array("PACK".utf8))
        appendBigEndian(UInt32(2))
        appendBigEndian(UInt32(objectCount))
    }

    deinit {
        // Not finished: nothing half-written stays behind.
        if descriptor >= 0 { Self.discard(descriptor, temporaryPath, spares: spares) }
    }

    /// Appends a whole object; returns its offset.
    func appendWhole(_ id: ObjectID, type: ObjectType, data: UnsafeRawBufferPointer) throws(GitError) -> Int {
        let start = written + buffer.count
        let entryStart = buffer.count
        appendEntryHeader(type: type.rawValue, size: data.count)
        deflater.deflate(data, appendingTo: &buffer)
        try record(id, start: start, entryStart: entryStart)
        return start
    }

    /// Appends `delta` (see ``PrefixSuffixDelta``) against the entry at `baseOffset`;
    /// returns the new entry's offset.
    func appendDelta(_ id: ObjectID, delta: [UInt8], baseOffset: Int) throws(GitError) -> Int {
        let start = written + buffer.count
        let entryStart = buffer.count
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
        delta.withUnsafeBytes { deflater.deflate($0, appendingTo: &buffer) }
        try record(id, start: start, entryStart: entryStart)
        return start
    }

    /// Writes the checksum and the index, moves both into place and returns the pack, open.
    func finish() throws(GitError) -> PackFile {
        guard entries.count == expectedCount else {
            throw GitError.corrupt("pack holds \(entries.count) objects, announced \(expectedCount)", operation: "write pack")
        }
        // A pack written in one piece is kept as it is in memory; a bigger one is mapped.
        let inOnePiece = written == 0
        var kept = inOnePiece ? buffer : []
        try flush()
        let checksum = hash.finish()
        checksum.append(to: &buffer)
        if inOnePiece { checksum.append(to: &kept) }
        try flush(hashing: false)
        let base = packDirectory + "/pack-" + checksum.hex
        try Self.place(descriptor, temporaryPath, length: written, over: previousSize, at: base + ".pack", spares: spares)
        descriptor = -1

        let index = indexBytes(packChecksum: checksum)
        let (indexDescriptor, indexTemporary, indexPreviousSize) = try Self.temporaryFile(in: packDirectory, prefix: "tmp_idx_", spares: spares)
        do {
            try Self.writeAll(index[...], to: indexDescriptor, path: indexTemporary)
        } catch {
            Self.discard(indexDescriptor, indexTemporary, spares: spares)
            throw error
        }
        try Self.place(indexDescriptor, indexTemporary, length: index.count, over: indexPreviousSize, at: base + ".idx", spares: spares)
        if GitLibrary.fsyncEnabled { Self.syncDirectory(packDirectory) }
        guard inOnePiece else { return try PackFile(indexPath: base + ".idx") }
        return try PackFile(basePath: base, index: FileImage(copying: index), data: FileImage(copying: kept))
    }

    // MARK: Entries

    private func record(_ id: ObjectID, start: Int, entryStart: Int) throws(GitError) {
        let crc = buffer.withUnsafeBytes { Zlib.crc32(UnsafeRawBufferPointer(rebasing: $0[entryStart...])) }
        entries.append((id, start, crc))
        if buffer.count >= 1 << 20 { try flush() }
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

    private func appendBigEndian(_ value: UInt32) {
        withUnsafeBytes(of: value.bigEndian) { buffer.append(contentsOf: $0) }
    }

    /// Hands the buffered bytes to the hash and the file.
    private func flush(hashing: Bool = true) throws(GitError) {
        guard !buffer.isEmpty else { return }
        if hashing { buffer.withUnsafeBytes { hash.update($0) } }
        try Self.writeAll(buffer[...], to: descriptor, path: temporaryPath)
        written += buffer.count
        buffer.removeAll(keepingCapacity: true)
    }

    // MARK: The index

    /// The `.idx`: header, fan-out, sorted ids, CRC-32s, 31-bit offsets (with a table of
    /// 64-bit ones past 2 GiB), the pack's checksum and the index's own.
    private func indexBytes(packChecksum: ObjectID) -> [UInt8] {
        let sorted = entries.sorted { $0.id < $1.id }
        var index: [UInt8] = []
        index.reserveCapacity(8 + 1024 + sorted.count * 28 + 40)
        func append(_ value: UInt32) { withUnsafeBytes(of: value.bigEndian) { index.append(contentsOf: $0) } }
        append(0xff74_4f63)
        append(2)
        var counts = [UInt32](repeating: 0, count: 256)
        for entry in sorted { counts[Int(entry.id.firstByte)] += 1 }
        var total: UInt32 = 0
        for count in counts {
            total += count
            append(total)
        }
        for entry in sorted { entry.id.append(to: &index) }
        for entry in sorted { append(entry.crc) }
        var large: [UInt64] = []
        for entry in sorted {
            if entry.offset < 0x8000_0000 {
                append(UInt32(entry.offset))
            } else {
                append(0x8000_0000 | UInt32(large.count))
                large.append(UInt64(entry.offset))
            }
        }
        for value in large { withUnsafeBytes(of: value.bigEndian) { index.append(contentsOf: $0) } }
        packChecksum.append(to: &index)
        hash.update(index)
        hash.finish().append(to: &index)
        return index
    }

    // MARK: Files

    /// A file to write, and the size of what it held: a spare, or a new temporary file in
    /// `directory`.
    private static func temporaryFile(in directory: String, prefix: String, spares: SpareFiles?) throws(GitError) -> (Int32, String, Int) {
        if let spares {
            let taken = try spares.take()
            return (taken.descriptor, taken.path, taken.size)
        }
        var template = Array((directory + "/" + prefix + "XXXXXX").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else { throw GitError.system(errno, "create a pack in \(directory)") }
        return (descriptor, template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }, 0)
    }

    /// Drops a file that was being written: a spare goes back, a temporary file is deleted.
    private static func discard(_ descriptor: Int32, _ path: String, spares: SpareFiles?) {
        if let spares {
            spares.giveBack(descriptor, path: path)
        } else {
            close(descriptor)
            unlink(path)
        }
    }

    /// Cuts the written file to `length` when it held more (`previousSize`, a spare written
    /// over), syncs it when asked to, and moves it to `destination` before closing it: a
    /// spare stays locked until it has its new name. (git makes its packs read-only; ours stay
    /// writable by their owner, which git does not mind, because changing the mode on every
    /// commit was 2 % of the write path and a spare must be writable again.)
    private static func place(_ descriptor: Int32, _ path: String, length: Int, over previousSize: Int, at destination: String,
                              spares: SpareFiles?) throws(GitError) {
        guard previousSize <= length || ftruncate(descriptor, off_t(length)) == 0,
              !GitLibrary.fsyncEnabled || fsync(descriptor) == 0 else {
            let number = errno
            discard(descriptor, path, spares: spares)
            throw GitError.system(number, "write \(path)")
        }
        guard rename(path, destination) == 0 else {
            let number = errno
            discard(descriptor, path, spares: spares)
            throw GitError.system(number, "move \(path) to \(destination)")
        }
        close(descriptor)
    }

    private static func writeAll(_ bytes: ArraySlice<UInt8>, to descriptor: Int32, path: String) throws(GitError) {
        var remaining = bytes
        while !remaining.isEmpty {
            let count = remaining.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw GitError.system(errno, "write \(path)")
            }
            remaining = remaining.dropFirst(count)
        }
    }

    private static func syncDirectory(_ path: String) {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }
}
