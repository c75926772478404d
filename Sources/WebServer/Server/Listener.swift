#if canImport(Glibc)
import Glibc
#endif
import CLinuxShims
import Synchronization

/// Accepts connections on one loop from the shared listening socket.
///
/// Every loop registers the same socket with `EPOLLEXCLUSIVE`, so the kernel wakes one loop per
/// connection. Whichever loop accepts, the connection goes to the loop with the fewest: a burst of
/// connections (a load balancer's pool, wrk's 64) used to land on the one loop that woke, which
/// then served them all on one core while the others idled. When `accept4` runs out of
/// descriptors (EMFILE/ENFILE) the listener backs off for a moment instead of spinning on a
/// socket that stays readable.
final class Listener: LoopChannel {
    let fd: Int32
    unowned let loop: EventLoop
    let context: ServerContext
    /// Every loop of the server, this one included.
    private let loops: [EventLoop]
    private var paused = false
    private var resumeAt: UInt64 = 0
    private var stopped = false
    /// Accept failures for lack of descriptors, for tests and logs.
    private(set) var descriptorExhaustions = 0
    private var lastExhaustionLog: UInt64 = 0

    init(fd: Int32, loop: EventLoop, loops: [EventLoop], context: ServerContext) {
        self.fd = fd
        self.loop = loop
        self.loops = loops
        self.context = context
    }

    func start() {
        loop.register(fd, interest: EPOLLIN.rawValue | EPOLLEXCLUSIVE.rawValue, channel: self)
    }

    func handle(events: UInt32) {
        guard !stopped, !paused else { return }
        for _ in 0..<64 {
            let client = clinux_accept_nonblocking(fd)
            if client < 0 {
                switch errno {
                case EAGAIN, EWOULDBLOCK: return
                case EINTR, ECONNABORTED, EPROTO: continue
                case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                    backOff()
                    return
                case EINVAL:
                    return   // not listening any more: the server is shutting down
                default:
                    context.logger.log(.warning, "accept4 failed: errno \(errno)")
                    return
                }
            }
            var one: Int32 = 1
            setsockopt(client, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            let target = leastBusyLoop()
            if target.connectionCount.load(ordering: .relaxed) >= context.maxConnectionsPerLoop {
                let refusal = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\nRetry-After: 1\r\n\r\n"
                _ = refusal.withCString { send(client, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
                Glibc.close(client)
                continue
            }
            target.connectionCount.add(1, ordering: .relaxed)
            let peer = Self.peerName(client)
            if target === loop {
                Connection(fd: client, loop: loop, context: context, peer: peer).start()
                continue
            }
            let context = self.context
            let queued = target.execute {
                guard !target.isShuttingDown else {
                    target.connectionCount.subtract(1, ordering: .relaxed)
                    Glibc.close(client)
                    return
                }
                Connection(fd: client, loop: target, context: context, peer: peer).start()
            }
            if !queued {
                target.connectionCount.subtract(1, ordering: .relaxed)
                Glibc.close(client)
            }
        }
    }

    /// The loop with the fewest connections; this one when it ties for fewest (no hand-over).
    private func leastBusyLoop() -> EventLoop {
        var best = loop
        var fewest = loop.connectionCount.load(ordering: .relaxed)
        for other in loops where other !== loop {
            let count = other.connectionCount.load(ordering: .relaxed)
            if count < fewest {
                best = other
                fewest = count
            }
        }
        return best
    }

    private func backOff() {
        descriptorExhaustions += 1
        paused = true
        resumeAt = loop.now + 100
        loop.unregisterFromEpoll(fd)
        if loop.now &- lastExhaustionLog > 5000 {
            lastExhaustionLog = loop.now
            context.logger.log(.warning, "out of file descriptors; pausing accept for 100 ms")
        }
    }

    func tick(now: UInt64) {
        if paused && !stopped && now >= resumeAt {
            paused = false
            loop.addToEpoll(fd, interest: EPOLLIN.rawValue | EPOLLEXCLUSIVE.rawValue)
        }
    }

    func beginShutdown() {
        stopped = true
        loop.unregister(fd)
    }

    func forceClose() {
        beginShutdown()
    }

    private static func peerName(_ fd: Int32) -> String {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let ok = withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(fd, $0, &length) == 0 }
        }
        guard ok else { return "?" }
        if Int32(storage.ss_family) == AF_INET {
            return withUnsafePointer(to: &storage) { pointer in
                pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { address in
                    var text = [CChar](repeating: 0, count: 64)
                    var addr = address.pointee.sin_addr
                    inet_ntop(AF_INET, &addr, &text, 64)
                    return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) + ":" + String(UInt16(bigEndian: address.pointee.sin_port))
                }
            }
        }
        return "ipv6"
    }
}
