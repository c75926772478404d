import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// A blocking HTTP/WebSocket client on loopback, for tests that go over a real socket (one user at
/// a time; run its blocking reads with ``offThePool(_:)``).
public final class TestClient: @unchecked Sendable {
    public let fd: Int32
    public var buffer: [UInt8] = []

    public init(port: Int) {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        // Generous: under `swift test` on two cores other suites can hold the cooperative pool for
        // many seconds, and the server's async handlers wait for a thread.
        var timeout = timeval(tv_sec: 60, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
    }

    deinit { close(fd) }

    public func send(_ bytes: [UInt8]) { _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } }
    public func send(_ text: String) { send(Array(text.utf8)) }

    /// Reads until `count` bytes are buffered (or EOF); returns and removes them.
    public func read(_ count: Int) -> [UInt8] {
        var chunk = [UInt8](repeating: 0, count: 65536)
        while buffer.count < count {
            let got = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if got <= 0 { break }
            buffer += chunk[0..<got]
        }
        let taken = Array(buffer.prefix(count))
        buffer.removeFirst(taken.count)
        return taken
    }

    /// Reads one response head and a Content-Length body.
    public func response() -> (head: String, body: String) {
        var chunk = [UInt8](repeating: 0, count: 65536)
        while !String(decoding: buffer, as: UTF8.self).contains("\r\n\r\n") {
            let got = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if got <= 0 { return ("", "") }
            buffer += chunk[0..<got]
        }
        let text = String(decoding: buffer, as: UTF8.self)
        let head = String(text[..<text.firstRange(of: "\r\n\r\n")!.lowerBound])
        let headLength = head.utf8.count + 4
        var length = 0
        for line in head.split(separator: "\r\n") where line.lowercased().hasPrefix("content-length:") {
            length = Int(line.split(separator: ":")[1].trimmingPrefix(" ")) ?? 0
        }
        buffer.removeFirst(headLength)
        return (head, String(decoding: read(length), as: UTF8.self))
    }

    /// Asks for a WebSocket upgrade of `path` and returns the response head (`HTTP/1.1 101 …`).
    public func openWebSocket(_ path: String, headers: String = "") -> String {
        send("GET \(path) HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
             + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" + headers + "\r\n")
        return response().head
    }

    /// Reads one unmasked server frame: its opcode and payload.
    public func readFrame() -> (opcode: UInt8, payload: [UInt8]) {
        let header = read(2)
        guard header.count == 2 else { return (0, []) }
        var length = Int(header[1] & 0x7F)
        if length == 126 {
            let extended = read(2)
            length = Int(extended[0]) << 8 | Int(extended[1])
        } else if length == 127 {
            length = read(8).reduce(0) { $0 << 8 | Int($1) }
        }
        return (header[0] & 0x0F, read(length))
    }

    /// Whether the server closed (EOF).
    public func atEOF() -> Bool {
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, 0) == 0
    }
}

/// Runs blocking client I/O on a dispatch thread, outside Swift's cooperative pool: on a two-core
/// machine a test blocked in `recv` on a pool thread, while other suites hold the other one,
/// leaves the server's async handlers no thread to answer on.
public func offThePool<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(returning: work()) }
    }
}

/// A masked client frame.
public func clientFrame(_ opcode: UInt8, _ payload: [UInt8], fin: Bool = true, rsv: UInt8 = 0, mask: [UInt8] = [1, 2, 3, 4]) -> [UInt8] {
    var bytes: [UInt8] = [(fin ? 0x80 : 0) | rsv << 4 | opcode]
    if payload.count < 126 {
        bytes.append(0x80 | UInt8(payload.count))
    } else if payload.count <= 0xFFFF {
        bytes += [0x80 | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
    } else {
        bytes.append(0x80 | 127)
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8((payload.count >> shift) & 0xFF)) }
    }
    bytes += mask
    for (index, byte) in payload.enumerated() { bytes.append(byte ^ mask[index % 4]) }
    return bytes
}
