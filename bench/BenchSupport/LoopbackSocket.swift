import Glibc

/// A blocking TCP connection to 127.0.0.1 for the benchmarks' own minimal clients (no client
/// library's latency in the figures): `TCP_NODELAY`, and a receive timeout so a stuck benchmark
/// fails instead of hanging.
public struct LoopbackSocket {
    public let fd: Int32

    /// Connects to `port`; nil (with `errno` set) when it cannot.
    public init?(port: Int, receiveTimeout seconds: Int = 20) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            let code = errno
            close(fd)
            errno = code
            return nil
        }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        self.fd = fd
    }

    /// Whether something accepts TCP connections on `port` (the connection is closed at once).
    public static func accepts(port: Int) -> Bool {
        guard let probe = LoopbackSocket(port: port) else { return false }
        close(probe.fd)
        return true
    }

    /// Sends every byte; false when the connection failed first.
    @discardableResult
    public func sendAll(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if written <= 0 { return false }
            offset += written
        }
        return true
    }
}
