#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// The HTTP/1.1 and WebSocket server: one epoll loop thread per core sharing one listening socket.
///
/// ```swift
/// var router = Router()
/// router.get("/hello/:name") { request in .text("hello \(request.parameter("name")!)") }
/// let server = HTTPServer(configuration: .init(port: 8080), router: router)
/// let port = try server.start()
/// // …
/// await server.shutdown()
/// ```
public final class HTTPServer: Sendable {
    /// Where to listen and how to behave.
    public struct Configuration: Sendable {
        /// An IPv4 or IPv6 literal to bind (`127.0.0.1` by default: put a TLS proxy in front for the world).
        public var host: String
        /// The TCP port; 0 picks a free one (see `start()`'s result).
        public var port: Int
        /// Event loop threads; defaults to the number of online CPUs.
        public var loopCount: Int
        /// Protocol and resource limits.
        public var limits: Limits
        /// Request and error logging.
        public var logger: Logger
        /// The HTML page for errors when the client prefers HTML; nil for a plain built-in page.
        public var errorPage: ErrorPage?

        /// A configuration with defaults for everything not given.
        public init(host: String = "127.0.0.1", port: Int = 8080, loopCount: Int? = nil,
                    limits: Limits = Limits(), logger: Logger = Logger(), errorPage: ErrorPage? = nil) {
            self.host = host
            self.port = port
            self.loopCount = max(1, loopCount ?? Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
            self.limits = limits
            self.logger = logger
            self.errorPage = errorPage
        }
    }

    private enum State {
        case idle
        case running(loops: [EventLoop], listenFD: Int32, port: Int)
        case stopping
        case stopped
    }

    /// The configuration given at creation.
    public let configuration: Configuration
    private let context: ServerContext
    private let state = Mutex<State>(.idle)
    private let exits = Mutex<(remaining: Int, waiters: [CheckedContinuation<Void, Never>])>((0, []))

    /// A server with routes; call `start()` to listen.
    public init(configuration: Configuration, router: Router) {
        self.configuration = configuration
        self.context = ServerContext(router: router, limits: configuration.limits, logger: configuration.logger,
                                     loopCount: configuration.loopCount, errorPage: configuration.errorPage)
    }

    /// Binds, starts the loop threads and returns the bound port.
    @discardableResult
    public func start() throws -> Int {
        let idle = state.withLock { state -> Bool in
            if case .idle = state { return true }
            return false
        }
        guard idle else { throw IOError(errno: EALREADY, call: "HTTPServer.start: already started") }
        let listening = try ListeningSocket.bind(host: configuration.host, port: configuration.port, backlog: 1024)
        var loops: [EventLoop] = []
        do {
            for index in 0..<configuration.loopCount { loops.append(try EventLoop(index: index)) }
        } catch {
            close(listening.fd)
            throw error
        }
        exits.withLock { $0.remaining = loops.count }
        state.withLock { $0 = .running(loops: loops, listenFD: listening.fd, port: listening.port) }
        let allLoops = loops
        for loop in loops {
            loop.onExit = { [self] in self.loopExited() }
            let context = self.context
            let fd = listening.fd
            startThread {
                Listener(fd: fd, loop: loop, loops: allLoops, context: context).start()
                loop.run()
            }
        }
        return listening.port
    }

    /// The bound port while running.
    public var port: Int? {
        state.withLock { state in
            if case .running(_, _, let port) = state { return port }
            return nil
        }
    }

    /// Stops accepting, lets in-flight requests finish, closes WebSockets with 1001, and returns when
    /// every connection is gone or `gracePeriod` seconds have passed (then the rest are cut).
    public func shutdown(gracePeriod: Double = 4.0) async {
        let running = state.withLock { state -> (loops: [EventLoop], fd: Int32)? in
            guard case .running(let loops, let fd, _) = state else { return nil }
            state = .stopping
            return (loops, fd)
        }
        if let running {
            // Stop listening now: new clients are refused at once instead of waiting in the backlog.
            // The descriptor stays open until the loops have let go of it.
            Glibc.shutdown(running.fd, Int32(SHUT_RDWR))
            let deadline = monotonicMilliseconds() + UInt64(gracePeriod * 1000)
            for loop in running.loops {
                loop.execute { loop.beginShutdown(deadline: deadline) }
            }
            await waitUntilStopped()
            close(running.fd)
            state.withLock { $0 = .stopped }
        } else {
            await waitUntilStopped()
        }
    }

    /// Returns once every loop has exited (after `shutdown`).
    public func waitUntilStopped() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = exits.withLock { exits -> Bool in
                if exits.remaining == 0 { return true }
                exits.waiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }

    private func loopExited() {
        let waiters = exits.withLock { exits -> [CheckedContinuation<Void, Never>] in
            exits.remaining -= 1
            guard exits.remaining == 0 else { return [] }
            defer { exits.waiters.removeAll() }
            return exits.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}
