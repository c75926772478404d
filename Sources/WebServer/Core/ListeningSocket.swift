#if canImport(Glibc)
import Glibc
#endif

/// A bound, listening, non-blocking TCP socket.
struct ListeningSocket {
    let fd: Int32
    /// The port actually bound (useful when asked for port 0).
    let port: Int

    /// Binds `host:port` (an IPv4 or IPv6 literal) and listens.
    static func bind(host: String, port: Int, backlog: Int32) throws(IOError) -> ListeningSocket {
        var storage = sockaddr_storage()
        var length: socklen_t
        let family: Int32
        if host.contains(":") {
            family = AF_INET6
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = in_port_t(UInt16(port).bigEndian)
            guard inet_pton(AF_INET6, host, &address.sin6_addr) == 1 else {
                throw IOError(errno: EINVAL, call: "bind: \"\(host)\" is not an IP address")
            }
            withUnsafeMutableBytes(of: &storage) { raw in raw.storeBytes(of: address, as: sockaddr_in6.self) }
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
        } else {
            family = AF_INET
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            let literal = host == "localhost" ? "127.0.0.1" : host
            guard inet_pton(AF_INET, literal, &address.sin_addr) == 1 else {
                throw IOError(errno: EINVAL, call: "bind: \"\(host)\" is not an IP address")
            }
            withUnsafeMutableBytes(of: &storage) { raw in raw.storeBytes(of: address, as: sockaddr_in.self) }
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
        }
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw IOError(errno: errno, call: "socket") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let bound = withUnsafePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, length) }
        }
        guard bound == 0 else {
            let code = errno
            close(fd)
            throw IOError(errno: code, call: "bind \(host):\(port)")
        }
        guard listen(fd, backlog) == 0 else {
            let code = errno
            close(fd)
            throw IOError(errno: code, call: "listen")
        }
        let actual = withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address -> Int in
                getsockname(fd, address, &length)
                return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) }
            }
        }
        return ListeningSocket(fd: fd, port: actual)
    }
}
