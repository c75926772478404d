/// A version-2 pack index (`pack-<name>.idx`) read in place: a 256-entry fan-out table,
/// the sorted object ids, their CRC-32s, their offsets in the pack (31 bits, or an index
/// into a table of 64-bit offsets), then the pack's checksum and the index's own.
struct PackIndex: Sendable {
    let file: FileImage
    /// Objects in the pack.
    let count: Int

    private static let headerSize = 8 + 256 * 4

    init(file: FileImage, path: String) throws(GitError) {
        let raw = file.bytes
        guard raw.count >= Self.headerSize + 40,
              raw.loadUnaligned(as: UInt32.self) == UInt32(0xff744f63).bigEndian else {
            throw GitError.corrupt("\(path) is not a version-2 pack index")
        }
        guard UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: 4, as: UInt32.self)) == 2 else {
            throw GitError.corrupt("\(path): only version-2 pack indexes are read")
        }
        self.file = file
        count = Int(UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: 8 + 255 * 4, as: UInt32.self)))
        guard raw.count >= Self.headerSize + count * 28 + 40 else { throw GitError.corrupt("\(path) is truncated") }
    }

    /// The checksum of the pack this index describes (the pack's last 20 bytes).
    var packChecksum: ObjectID {
        ObjectID(bytes: UnsafeRawBufferPointer(rebasing: file.bytes[(file.bytes.count - 40)...]))
    }

    /// The position of `id` in the sorted list, or nil.
    func position(of id: ObjectID) -> Int? {
        let raw = file.bytes
        let slot = Int(id.firstByte)
        var low = slot == 0 ? 0 : fanout(slot - 1)
        var high = fanout(slot)
        let ids = raw.baseAddress! + Self.headerSize
        while low < high {
            let middle = (low + high) / 2
            let order = id.compare(toBytesAt: ids + middle * 20)
            if order == 0 { return middle }
            if order < 0 { high = middle } else { low = middle + 1 }
        }
        return nil
    }

    /// The id at a position of the sorted list.
    func id(at position: Int) -> ObjectID {
        ObjectID(bytes: UnsafeRawBufferPointer(start: file.bytes.baseAddress! + Self.headerSize + position * 20, count: 20))
    }

    /// The offset in the pack of the object at a position.
    func offset(at position: Int) -> Int {
        let raw = file.bytes
        let offsets = Self.headerSize + count * 24
        let small = UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: offsets + position * 4, as: UInt32.self))
        guard small & 0x8000_0000 != 0 else { return Int(small) }
        let large = offsets + count * 4 + Int(small & 0x7fff_ffff) * 8
        return Int(UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: large, as: UInt64.self)))
    }

    /// The CRC-32 of the packed entry at a position.
    func crc(at position: Int) -> UInt32 {
        UInt32(bigEndian: file.bytes.loadUnaligned(fromByteOffset: Self.headerSize + count * 20 + position * 4, as: UInt32.self))
    }

    private func fanout(_ slot: Int) -> Int {
        Int(UInt32(bigEndian: file.bytes.loadUnaligned(fromByteOffset: 8 + slot * 4, as: UInt32.self)))
    }
}
