#if canImport(Glibc)
import Glibc
#endif

/// Owns a socket descriptor; closes it when the last user (a dispatch source handler, a
/// transport) lets go, so a descriptor is never closed under a source still watching it.
final class SocketHandle: Sendable {
    let fd: Int32

    init(fd: Int32) { self.fd = fd }

    deinit { close(fd) }

    static func open(family: Int32, udp: Bool) throws(DriverError) -> SocketHandle {
        let type = Int32(udp ? SOCK_DGRAM.rawValue : SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        let fd = socket(family, type, 0)
        guard fd >= 0 else { throw .failed("socket(): \(String(cString: strerror(errno)))") }
        if !udp {
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, socklen_t(MemoryLayout<Int32>.size))
        }
        return SocketHandle(fd: fd)
    }

    /// The pending error of a non-blocking connect (0 when it succeeded).
    var pendingError: Int32 {
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
        return error
    }
}
