import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A blocking TCP connection for the SMTP client, where every connect, read and write has a
/// deadline (`SO_RCVTIMEO`/`SO_SNDTIMEO`, and a polled non-blocking connect), so a server that
/// stops answering costs at most the timeout. Used on the mail outbox's own thread only.
final class MailSocket: MailByteStream {
    let fd: Int32
    private var closed = false

    /// Connects to the first address of `host` that answers within `timeout` seconds.
    init(host: String, port: Int, timeout: Double) throws(SMTPError) {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &result)
        guard status == 0, result != nil else {
            throw .connection("cannot resolve \(host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(result) }
        var lastError = "no address"
        var candidate = result
        while let address = candidate {
            candidate = address.pointee.ai_next
            let fd = socket(address.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { lastError = String(cString: strerror(errno)); continue }
            if Self.connect(fd, address.pointee.ai_addr, address.pointee.ai_addrlen, timeout: timeout, error: &lastError) {
                var limit = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - timeout.rounded(.down)) * 1_000_000))
                setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
                setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
                self.fd = fd
                return
            }
            Glibc.close(fd)
        }
        throw .connection("cannot connect to \(host):\(port): \(lastError)")
    }

    deinit { close() }

    func close() {
        guard !closed else { return }
        closed = true
        Glibc.close(fd)
    }

    /// Up to `maximum` bytes; empty when the server closed the connection.
    func read(maximum: Int) throws(SMTPError) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: maximum)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, maximum, 0) }
            if count >= 0 { return Array(buffer.prefix(count)) }
            if errno == EINTR { continue }
            if errno == EAGAIN || errno == EWOULDBLOCK { throw .timeout("the server did not answer in time") }
            throw .connection("reading from the server failed: \(String(cString: strerror(errno)))")
        }
    }

    func write(_ bytes: [UInt8]) throws(SMTPError) {
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            if count > 0 { offset += count; continue }
            if count < 0 && errno == EINTR { continue }
            if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { throw .timeout("the server stopped reading") }
            throw .connection("writing to the server failed: \(String(cString: strerror(errno)))")
        }
    }

    /// A non-blocking connect polled for `timeout` seconds, left blocking afterwards.
    private static func connect(_ fd: Int32, _ address: UnsafeMutablePointer<sockaddr>, _ length: socklen_t,
                                timeout: Double, error: inout String) -> Bool {
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
        defer { _ = fcntl(fd, F_SETFL, flags) }
        if Glibc.connect(fd, address, length) == 0 { return true }
        guard errno == EINPROGRESS else { error = String(cString: strerror(errno)); return false }
        var poller = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        let ready = poll(&poller, 1, Int32(timeout * 1000))
        guard ready > 0 else { error = ready == 0 ? "timed out after \(timeout) s" : String(cString: strerror(errno)); return false }
        var code: Int32 = 0
        var size = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &size)
        if code != 0 { error = String(cString: strerror(code)) }
        return code == 0
    }
}
