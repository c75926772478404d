import CDriverKitTLS
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A TLS client session over a connected socket (OpenSSL through `CDriverKitTLS`). Every call
/// holds the session's lock: reads run on the I/O queue, writes on the driver actor.
final class TLSSession: Sendable {
    private struct Pointer: @unchecked Sendable { let raw: OpaquePointer }
    private let session: Mutex<Pointer?>

    enum ReadResult { case data([UInt8]), nothing, closed(String) }

    /// Runs the handshake with the socket blocking (up to `timeout`), then makes it non-blocking.
    init(handle: SocketHandle, hostname: String, verify: Bool, timeout: Duration) throws(DriverError) {
        guard let raw = dk_tls_new(handle.fd, hostname, verify ? 1 : 0) else {
            throw .failed(String(cString: dk_tls_last_error()))
        }
        session = Mutex(Pointer(raw: raw))
        let flags = fcntl(handle.fd, F_GETFL)
        _ = fcntl(handle.fd, F_SETFL, flags & ~O_NONBLOCK)
        var limit = timeval(tv_sec: Int(timeout.components.seconds), tv_usec: 0)
        setsockopt(handle.fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(handle.fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        let result = dk_tls_handshake(raw)
        _ = fcntl(handle.fd, F_SETFL, flags | O_NONBLOCK)
        guard result == 0 else { throw .failed(String(cString: dk_tls_last_error())) }
    }

    deinit {
        session.withLock { pointer in
            if let pointer { dk_tls_free(pointer.raw) }
            pointer = nil
        }
    }

    /// Everything decrypted that is available now.
    func read() -> ReadResult {
        session.withLock { pointer -> ReadResult in
            guard let raw = pointer?.raw else { return .closed("TLS session closed") }
            var out: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 16 << 10)
            while true {
                let count = chunk.withUnsafeMutableBytes { dk_tls_read(raw, $0.baseAddress, $0.count) }
                if count > 0 {
                    out.append(contentsOf: chunk[0..<count])
                    if dk_tls_pending(raw) != 0 { continue }
                    return .data(out)
                }
                if count == -1 { return out.isEmpty ? .nothing : .data(out) }
                if !out.isEmpty { return .data(out) }
                return .closed(count == 0 ? "the device closed the TLS connection" : String(cString: dk_tls_last_error()))
            }
        }
    }

    /// Bytes written (maybe fewer than given), -1 when the socket is full, -2 on error.
    func write(_ bytes: ArraySlice<UInt8>) -> Int {
        session.withLock { pointer -> Int in
            guard let raw = pointer?.raw else { return -2 }
            return bytes.withUnsafeBytes { Int(dk_tls_write(raw, $0.baseAddress, $0.count)) }
        }
    }
}
