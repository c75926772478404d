#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One pack (`pack-<name>.pack`) with its index, both mapped into memory: finds objects and
/// reads them, resolving delta chains (`OFS_DELTA` on an earlier entry, `REF_DELTA` on an id
/// in the same pack).
///
/// Immutable once open, so any thread may read it. Removing the pack's files does not
/// disturb a reader that holds it.
final class PackFile: Sendable {
    /// The pack's path without `.pack`/`.idx`: `<objects>/pack/pack-<name>`.
    let basePath: String
    let index: PackIndex
    private let data: FileImage
    /// The pack's checksum: names its content, so it keys caches safely.
    let checksum: ObjectID

    /// Objects in the pack.
    var objectCount: Int { index.count }
    /// The size of the `.pack` file in bytes.
    var byteCount: Int { data.bytes.count }
    /// The name between `pack-` and the extension (the pack's checksum, for packs we write).
    var name: String { String(basePath.split(separator: "/").last!.dropFirst(5)) }

    /// Opens the pack whose index is at `indexPath`; the `.pack` beside it must match the
    /// index (same object count, same checksum).
    convenience init(indexPath: String) throws(GitError) {
        guard indexPath.hasSuffix(".idx") else { throw GitError.corrupt("\(indexPath) is not a pack index") }
        let basePath = String(indexPath.dropLast(4))
        try self.init(basePath: basePath, index: try FileImage(path: indexPath), data: try FileImage(path: basePath + ".pack"))
    }

    /// The pack at `basePath` from images of its index and its data.
    init(basePath: String, index indexImage: FileImage, data: FileImage) throws(GitError) {
        let index = try PackIndex(file: indexImage, path: basePath + ".idx")
        let raw = data.bytes
        guard raw.count >= 32, raw.loadUnaligned(as: UInt32.self) == UInt32(0x5041_434b).bigEndian else {
            throw GitError.corrupt("\(basePath).pack is not a pack")
        }
        let version = UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
        let count = UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt32.self))
        guard version == 2 || version == 3, Int(count) == index.count,
              index.packChecksum.compare(toBytesAt: raw.baseAddress! + raw.count - 20) == 0 else {
            throw GitError.corrupt("\(basePath).pack does not match its index")
        }
        self.basePath = basePath
        self.index = index
        self.data = data
        checksum = index.packChecksum
    }

    /// The offset of `id` in the pack, or nil when the pack does not hold it.
    func offset(of id: ObjectID) -> Int? {
        index.position(of: id).map(index.offset(at:))
    }

    func contains(_ id: ObjectID) -> Bool { index.position(of: id) != nil }

    /// Every object id in the pack, sorted.
    var ids: [ObjectID] { (0..<index.count).map(index.id(at:)) }

    /// The object at `offset`, with its deltas applied. Bases met on the way are kept in
    /// `cache`, so reading successive versions of a file costs one delta each.
    func object(at offset: Int, cache: DeltaBaseCache) throws(GitError) -> GitObject {
        // The deltas from the requested entry down to the first base already known.
        var deltas: [(entry: Entry, baseOffset: Int)] = []
        var current = offset
        var base: GitObject
        while true {
            if let cached = cache.object(in: self, at: current) {
                base = cached
                break
            }
            let entry = try self.entry(at: current)
            if let type = entry.type {
                base = GitObject(type: type, bytes: try inflate(entry))
                break
            }
            guard deltas.count < 10_000 else { throw GitError.corrupt("a delta chain in \(basePath).pack loops") }
            switch entry.base {
            case .offset(let baseOffset):
                current = baseOffset
            case .id(let id):
                guard let baseOffset = self.offset(of: id) else {
                    throw GitError.corrupt("\(basePath).pack has a delta on \(id.hex), which it does not hold")
                }
                current = baseOffset
            case nil:
                throw GitError.corrupt("bad entry in \(basePath).pack")
            }
            deltas.append((entry, current))
        }
        for (entry, baseOffset) in deltas.reversed() {
            cache.remember(base, in: self, at: baseOffset)
            base = GitObject(type: base.type, bytes: try GitDelta.apply(try inflate(entry), to: base.bytes))
        }
        return base
    }

    /// The type of the object at `offset`: its entry's, or for a delta its base's, read from
    /// entry headers only.
    func objectType(at offset: Int) throws(GitError) -> ObjectType {
        var current = offset
        for _ in 0..<10_000 {
            let entry = try self.entry(at: current)
            if let type = entry.type { return type }
            switch entry.base {
            case .offset(let baseOffset): current = baseOffset
            case .id(let id):
                guard let baseOffset = self.offset(of: id) else { throw GitError.corrupt("\(basePath).pack has a delta on \(id.hex), which it does not hold") }
                current = baseOffset
            case nil: throw GitError.corrupt("bad entry in \(basePath).pack")
            }
        }
        throw GitError.corrupt("a delta chain in \(basePath).pack loops")
    }

    /// What an entry's header says.
    struct Entry {
        /// The object type, or nil for a delta.
        var type: ObjectType?
        /// The inflated size (of the object, or of the delta).
        var size: Int
        /// Where the zlib stream starts.
        var dataOffset: Int
        var base: DeltaBase?
    }

    enum DeltaBase {
        case offset(Int)
        case id(ObjectID)
    }

    /// Parses the entry header at `offset`.
    func entry(at offset: Int) throws(GitError) -> Entry {
        let raw = data.bytes
        let end = raw.count - 20
        var position = offset
        func next() throws(GitError) -> UInt8 {
            guard position < end else { throw GitError.corrupt("entry header runs past the end of \(basePath).pack") }
            defer { position += 1 }
            return raw[position]
        }
        var byte = try next()
        let kind = (byte >> 4) & 7
        var size = Int(byte & 0x0f)
        var shift = 4
        while byte & 0x80 != 0 {
            byte = try next()
            guard shift < 60 else { throw GitError.corrupt("entry size overflows in \(basePath).pack") }
            size |= Int(byte & 0x7f) << shift
            shift += 7
        }
        switch kind {
        case 1...4:
            return Entry(type: ObjectType(rawValue: kind), size: size, dataOffset: position, base: nil)
        case 6:
            byte = try next()
            var distance = Int(byte & 0x7f)
            while byte & 0x80 != 0 {
                byte = try next()
                guard distance < Int.max >> 8 else { throw GitError.corrupt("delta offset overflows in \(basePath).pack") }
                distance = ((distance + 1) << 7) | Int(byte & 0x7f)
            }
            guard distance > 0, distance <= offset else { throw GitError.corrupt("delta base outside \(basePath).pack") }
            return Entry(type: nil, size: size, dataOffset: position, base: .offset(offset - distance))
        case 7:
            guard position + 20 <= end else { throw GitError.corrupt("truncated entry in \(basePath).pack") }
            let id = ObjectID(bytes: UnsafeRawBufferPointer(rebasing: raw[position..<(position + 20)]))
            return Entry(type: nil, size: size, dataOffset: position + 20, base: .id(id))
        default:
            throw GitError.corrupt("entry of unknown type \(kind) in \(basePath).pack")
        }
    }

    /// The inflated payload of an entry.
    func inflate(_ entry: Entry) throws(GitError) -> [UInt8] {
        let raw = data.bytes
        let compressed = UnsafeRawBufferPointer(rebasing: raw[entry.dataOffset..<(raw.count - 20)])
        guard let inflated = Zlib.inflate(compressed, size: entry.size) else {
            throw GitError.corrupt("corrupt entry at \(entry.dataOffset) in \(basePath).pack")
        }
        return inflated.bytes
    }
}

extension PackFile {
    /// Whether `<base>.keep` exists: git's mark for a pack no repack may fold into another.
    var isKept: Bool { access(basePath + ".keep", F_OK) == 0 }
}
