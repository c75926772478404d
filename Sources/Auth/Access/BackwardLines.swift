#if canImport(Glibc)
import Glibc
#endif

/// Reads a file's lines from the last to the first, a block at a time.
enum BackwardLines {
    static let blockBytes = 64 * 1024

    /// Calls `body` with each line (without its newline), newest first, until it returns false.
    static func read(path: String, _ body: ([UInt8]) -> Bool) {
        let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        var end = Int(lseek(descriptor, 0, SEEK_END))
        guard end > 0 else { return }
        var carry: [UInt8] = []  // the start of a line whose end came in the previous block
        var block = [UInt8](repeating: 0, count: blockBytes)
        while end > 0 {
            let start = max(0, end - blockBytes)
            let count = block.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, end - start, off_t(start)) }
            guard count == end - start else { return }
            var chunk = Array(block[..<count]) + carry
            end = start
            // Every line but the first of the chunk is whole; the first may continue further back.
            while let newline = chunk.lastIndex(of: UInt8(ascii: "\n")) {
                let line = Array(chunk[(newline + 1)...])
                chunk.removeSubrange(newline...)
                if !line.isEmpty && !body(line) { return }
            }
            carry = chunk
        }
        if !carry.isEmpty { _ = body(carry) }
    }
}
