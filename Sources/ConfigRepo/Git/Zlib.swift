import CGit2Shim
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// zlib, as git stores objects: one zlib stream per object or pack entry.
enum Zlib {
    /// Inflates the stream at the start of `compressed` into exactly `size` bytes; returns
    /// them and how many compressed bytes the stream took. Nil when the stream is corrupt
    /// or inflates to another size.
    static func inflate(_ compressed: UnsafeRawBufferPointer, size: Int) -> (bytes: [UInt8], consumed: Int)? {
        var consumed = 0
        var failed = false
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            failed = cgit2_inflate_exact(compressed.baseAddress, compressed.count, buffer.baseAddress, size, &consumed) != 0
            count = failed ? 0 : size
        }
        return failed ? nil : (bytes, consumed)
    }

    /// Inflates a whole stream whose inflated size is not known (a loose object); nil when corrupt.
    static func inflateAll(_ compressed: UnsafeRawBufferPointer) -> [UInt8]? {
        var output: UnsafeMutableRawPointer?
        var length = 0
        guard cgit2_inflate_all(compressed.baseAddress, compressed.count, &output, &length) == 0, let output else { return nil }
        defer { free(output) }
        return [UInt8](UnsafeRawBufferPointer(start: output, count: length))
    }

    /// CRC-32 of `bytes`, continuing `crc`.
    static func crc32(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        UInt32(cgit2_crc32(crc, bytes.baseAddress, bytes.count))
    }
}

/// A reusable zlib compressor: many small objects cost one allocation, not one each.
final class Deflater {
    private let stream: OpaquePointer

    /// A compressor at `level` (1 = fastest, as the store writes: size comes from deltas).
    init(level: Int32 = 1) {
        guard let stream = cgit2_deflater_new(level) else { fatalError("zlib cannot allocate a compressor") }
        self.stream = stream
    }

    deinit { cgit2_deflater_free(stream) }

    /// Appends `data` as one zlib stream to `output`.
    func deflate(_ data: UnsafeRawBufferPointer, appendingTo output: inout [UInt8]) {
        let bound = cgit2_deflate_bound(data.count)
        let start = output.count
        output.append(contentsOf: repeatElement(0, count: bound))
        let written = output.withUnsafeMutableBytes { out in
            cgit2_deflater_run(stream, data.baseAddress, data.count, out.baseAddress! + start, bound)
        }
        // The bound is zlib's own worst case, so only a broken zlib fails here.
        precondition(written >= 0, "zlib deflate failed")
        output.removeLast(bound - Int(written))
    }
}
