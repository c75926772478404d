#if canImport(Glibc)
import Glibc
#endif

/// Bytes waiting to be written to a socket, in order.
///
/// Responses are appended whole; `flush` writes as much as the kernel takes without blocking.
struct OutputQueue {
    private var bytes: [UInt8] = []
    private var writerIndex = 0

    /// Bytes still to be written.
    var count: Int { bytes.count - writerIndex }
    var isEmpty: Bool { writerIndex == bytes.count }

    mutating func append(_ more: [UInt8]) {
        if isEmpty && !bytes.isEmpty { reset() }
        if bytes.isEmpty && more.count > 4096 { bytes = more; return }
        bytes.append(contentsOf: more)
    }

    mutating func append(_ more: ArraySlice<UInt8>) { bytes.append(contentsOf: more) }

    /// Lets `write` append in place (a serialized response), without an intermediate array;
    /// returns how many bytes it appended.
    mutating func append(writing write: (inout [UInt8]) -> Void) -> Int {
        if isEmpty && !bytes.isEmpty { reset() }
        let before = bytes.count
        write(&bytes)
        return bytes.count - before
    }

    /// Writes to `fd` until empty or the kernel would block. Returns the number of bytes written.
    mutating func flush(to fd: Int32) throws(IOError) -> Int {
        var total = 0
        while !isEmpty {
            let start = writerIndex
            let written = try systemCall("send") {
                bytes.withUnsafeBytes { raw in send(fd, raw.baseAddress! + start, raw.count - start, Int32(MSG_NOSIGNAL)) }
            }
            guard let written else { break }
            writerIndex += written
            total += written
        }
        if isEmpty { reset() }
        return total
    }

    private mutating func reset() {
        // Keep small buffers for reuse; give large ones back so idle connections stay cheap.
        bytes.removeAll(keepingCapacity: bytes.capacity <= 16 * 1024)
        writerIndex = 0
    }
}
