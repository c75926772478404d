import Dispatch
#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import WebServer

/// A blocking loopback client for tests.
/// A blocking socket client (test code: one user at a time).
final class TestClient: @unchecked Sendable {
    let fd: Int32
    var buffer: [UInt8] = []

    init(port: Int) {
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

    func send(_ bytes: [UInt8]) { _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } }
    func send(_ text: String) { send(Array(text.utf8)) }

    /// Reads until `count` bytes are buffered (or EOF); returns and removes them.
    func read(_ count: Int) -> [UInt8] {
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
    func response() -> (head: String, body: String) {
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

    /// Whether the server closed (EOF).
    func atEOF() -> Bool {
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, 0) == 0
    }
}

/// Runs blocking client I/O on a dispatch thread, outside Swift's cooperative pool: on a two-core
/// machine a test blocked in `recv` on a pool thread, while other suites hold the other one,
/// leaves the server's async handlers no thread to answer on.
func offThePool<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(returning: work()) }
    }
}

/// Live tests run one at a time; their blocking reads go through ``offThePool(_:)`` where the
/// server needs the cooperative pool to answer.
@Suite(.serialized) struct LiveServerTests {

@Test func liveServerServesAsyncHandlersAndShutsDown() async throws {
    var router = Router()
    router.get("/hello/:name") { request in
        try await Task.sleep(for: .milliseconds(5))
        return .text("hello \(request.parameter("name")!)")
    }
    router.add(.get, "/quick", immediate: { _ in .text("quick") })
    let server = HTTPServer(configuration: .init(port: 0, loopCount: 2, logger: Logger(level: .off)), router: router)
    let port = try server.start()
    let client = TestClient(port: port)
    let (first, second) = await offThePool {
        client.send("GET /hello/world HTTP/1.1\r\nHost: x\r\n\r\nGET /quick HTTP/1.1\r\nHost: x\r\n\r\n")
        return (client.response(), client.response())
    }
    #expect(first.head.hasPrefix("HTTP/1.1 200 OK") && first.body == "hello world", "\(first)")
    #expect(second.body == "quick")
    await server.shutdown(gracePeriod: 2)
    #expect(client.atEOF())
}

@Test func webSocketHandlerAPI() async throws {
    var router = Router()
    router.webSocket("/chat/:room") { socket, request in
        try? await socket.send(text: "welcome to \(request.parameter("room")!)")
        for await message in socket.messages {
            if case .text("bye") = message {
                socket.close(code: 4000, reason: "done")
                break
            }
            if case .text(let text) = message { try? await socket.send(text: text.uppercased()) }
        }
    }
    let server = HTTPServer(configuration: .init(port: 0, loopCount: 1, logger: Logger(level: .off)), router: router)
    let port = try server.start()
    let client = TestClient(port: port)
    @Sendable func readFrame() -> (UInt8, String) {
        let header = client.read(2)
        let payload = client.read(Int(header[1] & 0x7F))
        return (header[0] & 0x0F, String(decoding: payload, as: UTF8.self))
    }
    let (upgrade, welcome, shout, close, rest) = await offThePool {
        client.send("GET /chat/lobby HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
        let upgrade = client.response().head
        let welcome = readFrame()
        client.send(clientFrame(1, Array("shout".utf8)))
        let shout = readFrame()
        client.send(clientFrame(1, Array("bye".utf8)))
        let close = client.read(6)
        client.send(clientFrame(8, [0x0F, 0xA0]))
        return (upgrade, welcome, shout, close, client.read(100))
    }
    #expect(upgrade.hasPrefix("HTTP/1.1 101"))
    #expect(welcome == (1, "welcome to lobby"))
    #expect(shout == (1, "SHOUT"))
    #expect(close[0] == 0x88 && Int(close[2]) << 8 | Int(close[3]) == 4000)
    #expect(rest.count == 2)   // "done", then EOF
    await server.shutdown(gracePeriod: 2)
}

@Test func connectionsOverTheLimitGet503() async throws {
    var router = Router()
    router.add(.get, "/", immediate: { _ in .text("ok") })
    var limits = Limits()
    limits.maxConnections = 2
    let server = HTTPServer(configuration: .init(port: 0, loopCount: 1, limits: limits, logger: Logger(level: .off)), router: router)
    let port = try server.start()
    let first = TestClient(port: port), second = TestClient(port: port)
    for client in [first, second] {
        client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(client.response().body == "ok")
    }
    let third = TestClient(port: port)
    #expect(third.response().head.hasPrefix("HTTP/1.1 503"))
    #expect(third.atEOF())
    await server.shutdown(gracePeriod: 1)
}

@Test func silentWebSocketPeersArePingedThenDropped() async throws {
    var router = Router()
    router.webSocket("/ws") { socket, _ in for await _ in socket.messages {} }
    var limits = Limits()
    limits.webSocketPingInterval = 0.3
    let server = HTTPServer(configuration: .init(port: 0, loopCount: 1, limits: limits, logger: Logger(level: .off)), router: router)
    let port = try server.start()
    let client = TestClient(port: port)
    client.send("GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
    #expect(client.response().head.hasPrefix("HTTP/1.1 101"))
    #expect(client.read(2) == [0x89, 0x00])   // an empty ping
    #expect(client.read(1).isEmpty)           // never answered: the server hangs up
    await server.shutdown(gracePeriod: 1)
}

@Test func closeHandshakeTimesOutWhenThePeerNeverAnswers() async throws {
    var router = Router()
    router.webSocket("/ws") { socket, _ in socket.close(code: 4001, reason: "bye") }
    var limits = Limits()
    limits.webSocketCloseTimeout = 0.3
    let server = HTTPServer(configuration: .init(port: 0, loopCount: 1, limits: limits, logger: Logger(level: .off)), router: router)
    let port = try server.start()
    let client = TestClient(port: port)
    client.send("GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
    #expect(client.response().head.hasPrefix("HTTP/1.1 101"))
    let close = client.read(7)
    #expect(close.prefix(4) == [0x88, 0x05, 0x0F, 0xA1])
    #expect(client.read(1).isEmpty)   // no close reply from us: the server gives up and closes TCP
    await server.shutdown(gracePeriod: 1)
}
}
