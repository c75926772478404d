import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A listening socket that serves each client on its own thread, counts connections and can
/// drop every open one (fault injection).
public final class TCPListener: Sendable {
    public let port: Int
    public let stats: SimulatorStats
    private let listenFD: Int32
    private let open = Mutex<Set<Int32>>([])
    private let stopped = Atomic<Bool>(false)

    /// Binds `host:port` (port 0 picks a free port).
    public init(host: String = "127.0.0.1", port: Int, stats: SimulatorStats = SimulatorStats()) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SimulatorError("socket(): \(String(cString: strerror(errno)))") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
            close(fd)
            throw SimulatorError("\(host) is not an IPv4 address")
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 1024) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw SimulatorError("cannot listen on \(host):\(port): \(reason)")
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.port = Int(UInt16(bigEndian: actual.sin_port))
        self.listenFD = fd
        self.stats = stats
    }

    /// Accepts clients on a background thread and runs `serve` for each on its own thread.
    public func start(faults: Faults, serve: @escaping @Sendable (ClientConnection) -> Void) {
        let thread = Thread { [self] in
            while !stopped.load(ordering: .relaxed) {
                let client = accept(listenFD, nil, nil)
                if client < 0 {
                    if errno == EINTR || errno == ECONNABORTED || errno == EMFILE { if errno == EMFILE { usleep(10_000) }; continue }
                    return
                }
                var one: Int32 = 1
                setsockopt(client, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                stats.opened()
                open.withLock { _ = $0.insert(client) }
                let worker = Thread { [self] in
                    serve(ClientConnection(fd: client, faults: faults))
                    open.withLock { _ = $0.remove(client) }
                    close(client)
                    stats.closed()
                }
                worker.stackSize = 256 << 10
                worker.start()
            }
        }
        thread.stackSize = 256 << 10
        thread.start()
    }

    /// Cuts every open client connection (they see end of file / reset).
    public func dropConnections() {
        for fd in open.withLock({ $0 }) { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    public func stop() {
        stopped.store(true, ordering: .relaxed)
        shutdown(listenFD, Int32(SHUT_RDWR))
        close(listenFD)
        dropConnections()
    }
}
