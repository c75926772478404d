import Dispatch
#if canImport(Glibc)
import Glibc
#endif
import TestSupport
import Testing
@testable import WebServer

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

@Test func connectionsAreSpreadEvenlyOverTheLoops() async throws {
    // Whichever loop the kernel wakes, each new connection goes to the loop with the fewest; a
    // generated request id names the loop that served it (`<prefix>-<loop>-<counter>`).
    var router = Router()
    router.add(.get, "/", immediate: { _ in .text("ok") })
    let server = HTTPServer(configuration: .init(port: 0, loopCount: 2, logger: Logger(level: .off)), router: router)
    let port = try server.start()
    let loops = await offThePool { () -> [String] in
        let clients = (0..<8).map { _ in TestClient(port: port) }
        return clients.map { client -> String in
            client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            let head = client.response().head
            let id = head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("x-request-id:") } ?? ""
            return String(id.split(separator: "-").dropLast().last ?? "?")
        }
    }
    #expect(loops.filter { $0 == "0" }.count == 4)
    #expect(loops.filter { $0 == "1" }.count == 4)
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

@Test func aPeerStillSendingAfterOurCloseIsCutOff() async throws {
    var router = Router()
    router.webSocket("/ws") { socket, _ in socket.close(code: 4001, reason: "bye") }
    let server = HTTPServer(configuration: .init(port: 0, loopCount: 1, logger: Logger(level: .off)), router: router)
    let port = try server.start()
    let client = TestClient(port: port)
    var timeout = timeval(tv_sec: 5, tv_usec: 0)
    setsockopt(client.fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    #expect(client.openWebSocket("/ws").hasPrefix("HTTP/1.1 101"))
    #expect(client.readFrame().opcode == 0x8)
    // Masked binary frames of 60,000 zero bytes (a zero mask), never the close reply. The server
    // owes this peer its close frame only: it reads on a little, then no more (the sends stall) until it hangs up.
    let frame: [UInt8] = [0x82, 0x80 | 126, 0xEA, 0x60, 0, 0, 0, 0] + [UInt8](repeating: 0, count: 60_000)
    let sent = await offThePool { () -> Int in
        var sent = 0
        while sent < 64 << 20 {
            let written = frame.withUnsafeBytes { Glibc.send(client.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written <= 0 { break }
            sent += written
        }
        return sent
    }
    #expect(sent < 16 << 20, "the server read \(sent) bytes from a peer it had closed")
    await server.shutdown(gracePeriod: 1)
}
}
