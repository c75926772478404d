/// Bytes received but not yet consumed by a parser.
///
/// Parsers advance `readerIndex`; `compact()` drops consumed bytes once they are a large share.
struct InputBuffer {
    /// All bytes held, consumed ones included.
    private(set) var bytes: [UInt8] = []
    /// The first unconsumed byte.
    var readerIndex = 0

    init() {}

    /// Wraps bytes (tests, fuzzing).
    init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// How many bytes are waiting.
    var readableCount: Int { bytes.count - readerIndex }

    var isEmpty: Bool { readerIndex == bytes.count }

    /// Appends newly received bytes.
    mutating func append(_ raw: UnsafeRawBufferPointer) {
        compact()
        bytes.append(contentsOf: raw.bindMemory(to: UInt8.self))
    }

    /// Appends bytes (tests).
    mutating func append(_ more: [UInt8]) {
        compact()
        bytes.append(contentsOf: more)
    }

    /// Consumes `count` bytes and returns them.
    mutating func read(_ count: Int) -> ArraySlice<UInt8> {
        let slice = bytes[readerIndex..<(readerIndex + count)]
        readerIndex += count
        return slice
    }

    /// Drops consumed bytes when that is worth a copy.
    mutating func compact() {
        if readerIndex == bytes.count {
            // Keep small buffers for reuse; give large ones back so idle connections stay cheap.
            bytes.removeAll(keepingCapacity: bytes.capacity <= 16 * 1024)
            readerIndex = 0
        } else if readerIndex > 32 * 1024 && readerIndex * 2 > bytes.count {
            bytes.removeSubrange(0..<readerIndex)
            readerIndex = 0
        }
    }

    /// The index of the first `byte` at or after `start`, if any.
    func firstIndex(of byte: UInt8, from start: Int) -> Int? {
        bytes.withUnsafeBufferPointer { buffer -> Int? in
            guard start < buffer.count, let base = buffer.baseAddress else { return nil }
            guard let found = memchr(base + start, Int32(byte), buffer.count - start) else { return nil }
            return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif
