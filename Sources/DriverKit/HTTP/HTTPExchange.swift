#if canImport(Glibc)
import Glibc
#endif

/// One plain-HTTP request over a connection of its own (`Connection: close`), non-blocking on
/// the driver actor: connect, send, read until the response is complete, all within `timeout`.
/// The socket is watched by `DriverLoop`, so its bytes are read on the actor's thread.
///
/// Between two polls a module holds nothing of it: the exchange, its socket and its buffers
/// live only while the request does. (URLSession, which `HTTPClient`
/// keeps for `https`, holds a libcurl handle per request and, in this toolchain's
/// FoundationNetworking, keeps about 60 bytes of every request for good: docs/performance.md.)
@DriverActor
final class HTTPExchange {
    private let host: String
    private let port: Int
    private let request: [UInt8]
    private let timeout: Duration
    private var handle: SocketHandle?
    private var sent = 0
    private var connected = false
    private var parser = HTTPResponseParser()
    private var continuation: CheckedContinuation<HTTPResponse, any Error>?
    /// The deadline lives in the process's one timer, like every schedule.
    private let deadline = Scheduler()
    /// One read buffer for every exchange of the process: reads happen one at a time, on the actor.
    private static var scratch = [UInt8](repeating: 0, count: 16 << 10)

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
            DriverLoop.shared.watchReadable(handle.fd) { [weak self] in self?.readAvailable() }
            DriverLoop.shared.watchWritable(handle.fd) { [weak self] in self?.writable() }
        } catch {
            fail(error.message)
        }
    }

    private func writable() {
        guard continuation != nil, let handle else { return }
        if !connected {
            let error = handle.pendingError
            if error != 0 { return fail("connect: \(String(cString: strerror(error)))") }
            connected = true
        }
        send(on: handle)
    }

    private func readAvailable() {
        guard continuation != nil, let handle else { return }
        let count = Self.scratch.withUnsafeMutableBytes { recv(handle.fd, $0.baseAddress, $0.count, 0) }
        if count > 0 {
            connected = true
            do {
                if try parser.push(Self.scratch[0..<count]) { succeed() }
            } catch {
                fail(error.message)
            }
        } else if count == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            let failure = count == 0 ? nil : String(cString: strerror(errno))
            // A refused connect can show on the read side first, as a failed recv.
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
        DriverLoop.shared.watchWritable(handle.fd) { [weak self] in self?.writable() }
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
        if let handle { DriverLoop.shared.unwatch(handle.fd) }
        handle = nil
        continuation.resume(with: outcome.mapError { $0 as any Error })
    }
}
