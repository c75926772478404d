import Foundation

/// The files of one tree kept in one file of the cache directory, so a restart reads one
/// file instead of 62,000 objects (docs/performance.md).
///
/// The file names its tree, and a tree's files never change, so it is never wrong for that
/// tree; for a newer head the store applies what changed since (a tree diff). It is
/// versioned, and refused (and rebuilt by the next full load) when it is of another format,
/// torn, or fails its checksum.
struct SnapshotCache: Sendable {
    static let fileName = "snapshot-v1"
    private static let magic = Array("BackOffice snapshot cache v1\n".utf8)

    /// The cache file.
    let path: String

    init(directory: String) {
        path = directory + "/" + Self.fileName
    }

    /// The tree the cache holds and its files, in the order they were saved; nil when there
    /// is no usable cache.
    func load() -> (tree: ObjectID, files: [RepoFile])? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let loaded: (tree: ObjectID, files: [RepoFile])? = data.withUnsafeBytes { raw in
            let header = Self.magic.count + 20 + 4 + 8
            guard raw.count >= header + 4, raw.starts(with: Self.magic) else { return nil }
            var reader = ByteReader(raw: raw, position: Self.magic.count)
            let tree = reader.objectID()
            let count = Int(reader.integer(4))
            let bodyLength = Int(reader.integer(8))
            guard bodyLength == raw.count - header - 4,
                  Zlib.crc32(UnsafeRawBufferPointer(rebasing: raw[Self.magic.count..<(header + bodyLength)]))
                    == UInt32(reader.integer(4, at: header + bodyLength)) else { return nil }
            var files: [RepoFile] = []
            files.reserveCapacity(count)
            for _ in 0..<count {
                guard reader.remaining >= 2 else { return nil }
                let pathLength = Int(reader.integer(2))
                guard reader.remaining >= pathLength + 24 else { return nil }
                let path = reader.string(pathLength)
                let blob = reader.objectID()
                let length = Int(reader.integer(4))
                guard reader.remaining >= length + 4 else { return nil }
                files.append(RepoFile(path: path, blob: blob, bytes: reader.bytes(length)))
            }
            guard reader.position == header + bodyLength else { return nil }
            return (tree, files)
        }
        if loaded == nil { unlink(path) }  // Of no use: the next full load writes a good one.
        return loaded
    }

    /// Replaces the cache with `files`, the files of `tree` (written under another name and
    /// renamed, so a reader sees the old cache or the new one, whole).
    func save(tree: ObjectID, files: [RepoFile]) {
        var body: [UInt8] = []
        body.reserveCapacity(files.reduce(0) { $0 + $1.path.utf8.count + $1.bytes.count + 26 })
        for file in files where file.path.utf8.count <= 0xffff {
            ByteWriter.integer(file.path.utf8.count, 2, to: &body)
            body.append(contentsOf: file.path.utf8)
            file.blob.append(to: &body)
            ByteWriter.integer(file.bytes.count, 4, to: &body)
            body.append(contentsOf: file.bytes)
        }
        var header: [UInt8] = []
        tree.append(to: &header)
        ByteWriter.integer(files.filter { $0.path.utf8.count <= 0xffff }.count, 4, to: &header)
        ByteWriter.integer(body.count, 8, to: &header)
        var crc = header.withUnsafeBytes { Zlib.crc32($0) }
        crc = body.withUnsafeBytes { Zlib.crc32($0, continuing: crc) }
        var trailer: [UInt8] = []
        ByteWriter.integer(Int(crc), 4, to: &trailer)
        let temporary = path + ".tmp-\(getpid())"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(Self.magic + header + body + trailer)) else { return }
        if rename(temporary, path) != 0 { unlink(temporary) }
    }
}
