/// The byte layout the cache directory's files share (the path-history index, the snapshot
/// cache): big-endian integers, raw object ids, UTF-8 strings.

/// Reads big-endian integers, ids, strings and bytes from a buffer, in order.
struct ByteReader {
    let raw: UnsafeRawBufferPointer
    var position: Int

    var remaining: Int { raw.count - position }

    /// The big-endian integer of `width` bytes at `offset`, without moving.
    func integer(_ width: Int, at offset: Int) -> UInt64 {
        raw[offset..<(offset + width)].reduce(0) { $0 << 8 | UInt64($1) }
    }

    mutating func integer(_ width: Int) -> UInt64 {
        defer { position += width }
        return integer(width, at: position)
    }

    mutating func objectID() -> ObjectID {
        defer { position += 20 }
        return ObjectID(bytes: UnsafeRawBufferPointer(rebasing: raw[position..<(position + 20)]))
    }

    mutating func string(_ length: Int) -> String {
        defer { position += length }
        return String(decoding: UnsafeRawBufferPointer(rebasing: raw[position..<(position + length)]), as: UTF8.self)
    }

    mutating func bytes(_ length: Int) -> [UInt8] {
        defer { position += length }
        return [UInt8](UnsafeRawBufferPointer(rebasing: raw[position..<(position + length)]))
    }
}

/// Appends big-endian integers.
enum ByteWriter {
    static func integer(_ value: Int, _ width: Int, to output: inout [UInt8]) {
        for shift in stride(from: (width - 1) * 8, through: 0, by: -8) { output.append(UInt8(truncatingIfNeeded: value >> shift)) }
    }
}
