import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// TCP or UDP to `host:port`, non-blocking, with reconnect and exponential back-off.
///
/// Make-break mode connects only when there is something to send and disconnects after
/// `idleDisconnect` without traffic; it does not reconnect on its own.
@DriverActor
public final class SocketTransport: Transport {
    public struct Options: Sendable {
        public var host: String
        public var port: Int
        public var udp = false
        public var makebreak = false
        /// TLS over TCP; `tlsVerify` checks the certificate against the system's roots and the host.
        public var tls = false
        public var tlsVerify = false
        public var backoff = Backoff()
        public var connectTimeout: Duration = .seconds(10)
        public var idleDisconnect: Duration = .seconds(10)

        public init(host: String, port: Int, udp: Bool = false, makebreak: Bool = false, tls: Bool = false) {
            self.host = host
            self.port = port
            self.udp = udp
            self.makebreak = makebreak
            self.tls = tls && !udp
        }
    }

    public let options: Options
    public weak var delegate: (any TransportDelegate)?
    public private(set) var isConnected = false
    /// Connection attempts so far (for tests and the debug console).
    public private(set) var attempts = 0

    private var backoff: Backoff
    private var wanted = false
    private var connecting = false
    private var handle: SocketHandle?
    /// The descriptor `DriverLoop` watches for this connection (nil: none).
    private var watched: Int32?
    private var watchingWritable = false
    private var outbox: [UInt8] = []
    private var tlsSession: TLSSession?
    private var epoch = 0
    private var timer: Task<Void, Never>?
    private var lastActivity = ContinuousClock.now
    /// No connection before this instant (credentials were refused).
    private var holdUntil: ContinuousClock.Instant?
    private lazy var inbox = EventInbox<(Int, SocketEvent)> { [weak self] batch in
        for (epoch, event) in batch { self?.handle(event, epoch: epoch) }
    }

    public init(_ options: Options) {
        self.options = options
        self.backoff = options.backoff
    }

    public func open() {
        wanted = true
        if !options.makebreak { connect() }
    }

    /// Make-break: connect now because a command is waiting (or as soon as a hold for refused
    /// credentials ends).
    public func connectIfNeeded() {
        guard wanted, !isConnected, !connecting else { return }
        if let holdUntil, ContinuousClock.now < holdUntil {
            if timer == nil { scheduleReconnect(after: holdUntil - .now, evenForMakeBreak: true) }
            return
        }
        connect()
    }

    public func close() {
        wanted = false
        timer?.cancel()
        timer = nil
        let wasConnected = isConnected
        teardown()
        if wasConnected { delegate?.transportDisconnected(reason: "closed") }
    }

    public func write(_ bytes: [UInt8]) throws(DriverError) {
        guard isConnected, let handle else { throw DriverError(.offline, "not connected to \(options.host):\(options.port)") }
        lastActivity = .now
        if !outbox.isEmpty {
            outbox.append(contentsOf: bytes)
            return
        }
        let written = transmit(bytes[...], on: handle)
        if written == bytes.count { return }
        if written < -1 || (written < 0 && tlsSession == nil && errno != EAGAIN && errno != EWOULDBLOCK) {
            let reason = String(cString: strerror(errno))
            lost("write failed: \(reason)")
            throw DriverError(.offline, "write to \(options.host):\(options.port) failed: \(reason)")
        }
        outbox.append(contentsOf: bytes[max(0, written)...])
        watchWritable(handle)
    }

    /// Closes the current connection as if the device had; reconnects with back-off, or after
    /// `retryAfter` when given (refused credentials: ``ModuleContext/authenticationFailed(_:)``),
    /// make-break connections included.
    public func dropConnection(reason: String, retryAfter: Duration? = nil) {
        if let retryAfter { holdUntil = .now + retryAfter }
        guard isConnected || connecting else { return }
        if connecting { failedToConnect(reason, retryAfter: retryAfter) } else { lost(reason, retryAfter: retryAfter) }
    }

    // MARK: connecting

    private func connect() {
        guard wanted, !connecting, !isConnected else { return }
        timer?.cancel()
        timer = nil
        teardown()
        epoch += 1
        attempts += 1
        connecting = true
        let handle: SocketHandle
        do {
            let address = try SocketAddress.resolve(host: options.host, port: options.port, udp: options.udp)
            handle = try SocketHandle.open(family: address.family, udp: options.udp)
            var storage = address.storage
            let status = withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(handle.fd, $0, address.length) }
            }
            if status != 0, errno != EINPROGRESS {
                throw DriverError(.offline, String(cString: strerror(errno)))
            }
            self.handle = handle
            if !options.tls { watchReadable(handle) }
            if status == 0 || options.udp {
                tcpConnected(handle)
            } else {
                watchWritable(handle)
                let attemptEpoch = epoch
                timer = Task { [weak self] in
                    try? await Task.sleep(for: self?.options.connectTimeout ?? .seconds(10))
                    guard let self, !Task.isCancelled, self.epoch == attemptEpoch, self.connecting else { return }
                    self.failedToConnect("connect timed out")
                }
            }
        } catch {
            failedToConnect(error.message)
        }
    }

    /// TCP is up: start TLS when asked, else the connection is ready.
    private func tcpConnected(_ handle: SocketHandle) {
        guard options.tls else { return connected() }
        let inbox = self.inbox, epoch = self.epoch, options = self.options
        DispatchQueue.global().async {
            do {
                let session = try TLSSession(handle: handle, hostname: options.host, verify: options.tlsVerify, timeout: options.connectTimeout)
                inbox.post((epoch, .tlsReady(session)))
            } catch {
                inbox.post((epoch, .closed(error.message)))
            }
        }
    }

    private func connected() {
        connecting = false
        isConnected = true
        backoff.reset()
        lastActivity = .now
        if options.makebreak { scheduleIdleCheck() }
        delegate?.transportConnected()
    }

    private func failedToConnect(_ reason: String, retryAfter: Duration? = nil) {
        connecting = false
        teardown()
        delegate?.transportDisconnected(reason: "connect to \(options.host):\(options.port) failed: \(reason)")
        scheduleReconnect(after: retryAfter, evenForMakeBreak: retryAfter != nil)
    }

    private func lost(_ reason: String, retryAfter: Duration? = nil) {
        let wasConnected = isConnected
        teardown()
        if wasConnected { delegate?.transportDisconnected(reason: reason) }
        scheduleReconnect(after: retryAfter, evenForMakeBreak: retryAfter != nil)
    }

    /// Connects again after `after` (default: the next back-off delay). Make-break connections
    /// reconnect on demand, except after a hold for refused credentials.
    private func scheduleReconnect(after: Duration? = nil, evenForMakeBreak: Bool = false) {
        guard wanted, !options.makebreak || evenForMakeBreak else { return }
        let delay = after ?? backoff.nextDelay()
        timer?.cancel()
        timer = Task { [weak self] in
            try? await Task.sleep(for: delay)
            guard let self, !Task.isCancelled else { return }
            self.timer = nil
            self.connect()
        }
    }

    private func scheduleIdleCheck() {
        let idle = options.idleDisconnect
        timer?.cancel()
        timer = Task { [weak self] in
            while true {
                try? await Task.sleep(for: idle)
                guard let self, !Task.isCancelled, self.isConnected else { return }
                if ContinuousClock.now - self.lastActivity >= idle {
                    self.teardown()
                    self.delegate?.transportDisconnected(reason: "idle (make-break)")
                    return
                }
            }
        }
    }

    private func teardown() {
        connecting = false
        isConnected = false
        outbox = []
        tlsSession = nil
        if let watched { DriverLoop.shared.unwatch(watched) }
        watched = nil
        watchingWritable = false
        if let handle { shutdown(handle.fd, Int32(SHUT_RDWR)) }
        handle = nil
        epoch += 1
    }

    // MARK: events

    /// Reads on the actor's thread each time the socket is readable (`DriverLoop`), and handles
    /// what it read at once.
    private func watchReadable(_ handle: SocketHandle) {
        watched = handle.fd
        let epoch = self.epoch
        DriverLoop.shared.watchReadable(handle.fd) { [weak self] in
            // A transport dropped without `close()`: stop watching (the closure keeps the descriptor open until then).
            guard let self else { return DriverLoop.shared.unwatch(handle.fd) }
            self.readAvailable(from: handle, epoch: epoch)
        }
    }

    private func readAvailable(from socket: SocketHandle, epoch readEpoch: Int) {
        guard readEpoch == epoch else { return }
        if let tlsSession {
            switch tlsSession.read() {
            case .data(let bytes): handle(.data(bytes), epoch: readEpoch)
            case .nothing: break
            case .closed(let reason): handle(.closed(reason), epoch: readEpoch)
            }
            return
        }
        let count = Self.scratch.withUnsafeMutableBytes { recv(socket.fd, $0.baseAddress, $0.count, 0) }
        if count > 0 {
            handle(.data(Array(Self.scratch[0..<count])), epoch: readEpoch)
        } else if count == 0, !options.udp {
            handle(.closed("the device closed the connection"), epoch: readEpoch)
        } else if count < 0, errno != EAGAIN, errno != EWOULDBLOCK, errno != EINTR {
            handle(.closed(String(cString: strerror(errno))), epoch: readEpoch)
        }
    }

    /// One read buffer for every socket of the process: reads happen one at a time, on the actor.
    private static var scratch = [UInt8](repeating: 0, count: 16 << 10)

    /// Writes on the socket or through TLS: count written, or a negative number (-1 would block).
    private func transmit(_ bytes: ArraySlice<UInt8>, on handle: SocketHandle) -> Int {
        if let tlsSession { return tlsSession.write(bytes) }
        return bytes.withUnsafeBytes { Glibc.send(handle.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    private func watchWritable(_ handle: SocketHandle) {
        guard !watchingWritable else { return }
        watchingWritable = true
        watched = handle.fd
        let epoch = self.epoch
        DriverLoop.shared.watchWritable(handle.fd) { [weak self, handle] in
            guard let self else { return DriverLoop.shared.unwatch(handle.fd) }
            guard epoch == self.epoch else { return }
            self.handle(.writable, epoch: epoch)
        }
    }

    private func handle(_ event: SocketEvent, epoch eventEpoch: Int) {
        guard eventEpoch == epoch, let handle else { return }
        switch event {
        case .writable:
            watchingWritable = false
            if connecting {
                let error = handle.pendingError
                if error != 0 {
                    failedToConnect(String(cString: strerror(error)))
                } else {
                    timer?.cancel()
                    timer = nil
                    tcpConnected(handle)
                }
                return
            }
            flushOutbox(handle)
        case .data(let bytes):
            if connecting {
                // Data can overtake the writable event: receiving proves the connect succeeded.
                timer?.cancel()
                timer = nil
                connected()
            }
            lastActivity = .now
            delegate?.transportReceived(bytes)
        case .closed(let reason):
            if connecting { failedToConnect(reason) } else { lost(reason) }
        case .tlsReady(let session):
            guard connecting else { return }
            timer?.cancel()
            timer = nil
            tlsSession = session
            watchReadable(handle)
            connected()
        }
    }

    private func flushOutbox(_ handle: SocketHandle) {
        guard !outbox.isEmpty else { return }
        let written = transmit(outbox[...], on: handle)
        if written > 0 { outbox.removeFirst(written) }
        if written < -1 || (written < 0 && tlsSession == nil && errno != EAGAIN && errno != EWOULDBLOCK) {
            lost("write failed: \(String(cString: strerror(errno)))")
            return
        }
        if !outbox.isEmpty { watchWritable(handle) }
    }
}
