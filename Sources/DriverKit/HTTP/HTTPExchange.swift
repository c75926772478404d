import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// One plain-HTTP request over a connection of its own (`Connection: close`), non-blocking on
/// the driver actor: connect, send, read until the response is complete, all within `timeout`.
///
/// Between two polls a module holds nothing of it: the exchange, its socket, its dispatch
/// sources and its buffers live only while the request does. (URLSession, which `HTTPClient`
/// keeps for `https`, holds a libcurl handle per request and, in this toolchain's
/// FoundationNetworking, keeps about 60 bytes of every request for good: docs/performance.md.)
@DriverActor
final class HTTPExchange {
    private enum Event: Sendable {
        case writable
        case data([UInt8])
        /// The peer closed the connection (nil) or reading failed (the reason).
        case ended(String?)
    }

    private let host: String
    private let port: Int
    private let request: [UInt8]
    private let timeout: Duration
    private var handle: SocketHandle?
    private var sent = 0
    private var connected = false
    private var parser = HTTPResponseParser()
    private var readSource: (any DispatchSourceRead)?
    private var writeSource: (any DispatchSourceWrite)?
    private var continuation: CheckedContinuation<HTTPResponse, any Error>?
    /// The deadline lives in the process's one timer, like every schedule.
    private let deadline = Scheduler()
    private lazy var inbox = EventInbox<Event> { [weak self] batch in
        for event in batch { self?.handle(event) }
    }

    init(host: String, port: Int, request: [UInt8], timeout: Duration) {
        self.host = host
        self.port = port
        self.request = request
        self.timeout = timeout
    }

    /// Sends the request and returns the response; throws a `DriverError` saying what failed.
    func response() async throws -> HTTPResponse {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                self.continuation = continuation
                self.start()
            }
        } onCancel: {
            Task { @DriverActor in self.finish(.failure(DriverError(.offline, "cancelled"))) }
        }
    }

    private func start() {
        let timeout = self.timeout
        deadline.after(timeout) { [weak self] in
            self?.finish(.failure(DriverError(.timeout, "no response within \(ModuleContext.seconds(timeout))")))
        }
        do {
            let address = try SocketAddress.resolve(host: host, port: port, udp: false)
            let handle = try SocketHandle.open(family: address.family, udp: false)
            self.handle = handle
            var storage = address.storage
            let status = withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(handle.fd, $0, address.length) }
            }
            if status != 0, errno != EINPROGRESS {
                return fail(String(cString: strerror(errno)))
            }
            readSource = Self.makeReadSource(handle, inbox: inbox)
            writeSource = Self.makeWriteSource(handle, inbox: inbox)
        } catch {
            fail(error.message)
        }
    }

    private func handle(_ event: Event) {
        guard continuation != nil, let handle else { return }
        switch event {
        case .writable:
            writeSource = nil
            if !connected {
                let error = handle.pendingError
                if error != 0 { return fail("connect: \(String(cString: strerror(error)))") }
                connected = true
            }
            send(on: handle)
        case .data(let bytes):
            connected = true
            do {
                if try parser.push(bytes) { succeed() }
            } catch {
                fail(error.message)
            }
        case .ended(let failure):
            // A refused connect shows on the read side first, as a failed recv.
            if !connected { return fail("connect: \(failure ?? "the connection closed")") }
            if let failure { return fail("recv: \(failure)") }
            do {
                _ = try parser.finish()
                succeed()
            } catch {
                fail(error.message)
            }
        }
    }

    private func send(on handle: SocketHandle) {
        let written = request[sent...].withUnsafeBytes { Glibc.send(handle.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        if written > 0 { sent += written }
        if sent == request.count { return }
        if written < 0, errno != EAGAIN, errno != EWOULDBLOCK, errno != EINTR {
            return fail("send: \(String(cString: strerror(errno)))")
        }
        writeSource = Self.makeWriteSource(handle, inbox: inbox)
    }

    private func succeed() {
        finish(.success(HTTPResponse(status: parser.status, headers: parser.headers, body: parser.body)))
    }

    private func fail(_ reason: String) {
        finish(.failure(DriverError(.offline, reason)))
    }

    /// Resumes the caller once and lets go of the socket.
    private func finish(_ outcome: Result<HTTPResponse, DriverError>) {
        guard let continuation else { return }
        self.continuation = nil
        deadline.cancelAll()
        readSource?.cancel()
        writeSource?.cancel()
        readSource = nil
        writeSource = nil
        handle = nil
        continuation.resume(with: outcome.mapError { $0 as any Error })
    }

    // Built outside the actor: the handlers run on the I/O queue, not on `DriverActor`.
    private nonisolated static func makeReadSource(_ handle: SocketHandle, inbox: EventInbox<Event>) -> any DispatchSourceRead {
        let source = DispatchSource.makeReadSource(fileDescriptor: handle.fd, queue: DriverIO.queue)
        source.setEventHandler { [handle] in
            var buffer = [UInt8](repeating: 0, count: 16 << 10)
            let count = buffer.withUnsafeMutableBytes { recv(handle.fd, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                inbox.post(.data(Array(buffer[0..<count])))
            } else if count == 0 {
                source.cancel()
                inbox.post(.ended(nil))
            } else if errno != EAGAIN, errno != EWOULDBLOCK, errno != EINTR {
                source.cancel()
                inbox.post(.ended(String(cString: strerror(errno))))
            }
        }
        source.resume()
        return source
    }

    private nonisolated static func makeWriteSource(_ handle: SocketHandle, inbox: EventInbox<Event>) -> any DispatchSourceWrite {
        let source = DispatchSource.makeWriteSource(fileDescriptor: handle.fd, queue: DriverIO.queue)
        source.setEventHandler { [handle] in
            _ = handle
            source.cancel()
            inbox.post(.writable)
        }
        source.resume()
        return source
    }
}
