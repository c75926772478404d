import CCrypto
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Why a TLS session could not be opened or went wrong: OpenSSL's words, for the log.
public struct TLSError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A TLS client session over a connected socket, for whoever talks to a device or server over
/// TLS (driver transports, SMTP, MQTT). TLS 1.2 at least; with `verify`, the peer's certificate
/// must chain to the system's trust store and name `hostname`. Every call holds the session's
/// lock, so reads and writes may come from different threads. The socket stays the caller's.
public final class TLSClientSession: Sendable {
    private struct Pointer: @unchecked Sendable { let raw: OpaquePointer }
    private let session: Mutex<Pointer?>

    /// What a read found.
    public enum ReadResult: Sendable { case data([UInt8]), nothing, closed(String) }

    /// Runs the handshake on `fd` with the socket blocking (each read and write up to `timeout`),
    /// then restores the socket's blocking mode as it was.
    public init(fd: Int32, hostname: String, verify: Bool, timeout: Duration) throws(TLSError) {
        guard let raw = cc_tls_new(fd, hostname, verify ? 1 : 0) else {
            throw TLSError(String(cString: cc_tls_last_error()))
        }
        session = Mutex(Pointer(raw: raw))
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags & ~O_NONBLOCK)
        var limit = timeval(tv_sec: Int(timeout.components.seconds), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        let result = cc_tls_handshake(raw)
        _ = fcntl(fd, F_SETFL, flags)
        guard result == 0 else { throw TLSError(String(cString: cc_tls_last_error())) }
    }

    deinit {
        session.withLock { pointer in
            if let pointer { cc_tls_free(pointer.raw) }
            pointer = nil
        }
    }

    /// Everything decrypted that is available now.
    public func read() -> ReadResult {
        session.withLock { pointer -> ReadResult in
            guard let raw = pointer?.raw else { return .closed("TLS session closed") }
            var out: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 16 << 10)
            while true {
                let count = chunk.withUnsafeMutableBytes { cc_tls_read(raw, $0.baseAddress, $0.count) }
                if count > 0 {
                    out.append(contentsOf: chunk[0..<count])
                    if cc_tls_pending(raw) != 0 { continue }
                    return .data(out)
                }
                if count == -1 { return out.isEmpty ? .nothing : .data(out) }
                if !out.isEmpty { return .data(out) }
                return .closed(count == 0 ? "the peer closed the TLS connection" : String(cString: cc_tls_last_error()))
            }
        }
    }

    /// Bytes written (maybe fewer than given), -1 when the socket is full, -2 on error.
    public func write(_ bytes: ArraySlice<UInt8>) -> Int {
        session.withLock { pointer -> Int in
            guard let raw = pointer?.raw else { return -2 }
            return bytes.withUnsafeBytes { Int(cc_tls_write(raw, $0.baseAddress, $0.count)) }
        }
    }
}
