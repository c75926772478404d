import Synchronization
import TestSupport
import Testing
@testable import WebServer

/// What a router's observer hears, kept for the test to read.
private final class Heard: Sendable {
    private let answers = Mutex<[AnsweredRequest]>([])
    var all: [AnsweredRequest] { answers.withLock { $0 } }
    func observer() -> RequestObserver { { answer in self.answers.withLock { $0.append(answer) } } }
    /// `METHOD pattern status`, or `METHOD - status` without a route.
    var lines: [String] {
        all.map { "\($0.method.rawValue) \($0.route?.pattern ?? "-") \($0.status.code)" }
    }
}

@Test func theObserverHearsEveryAnswerWithItsRouteAndStatus() async throws {
    let heard = Heard()
    var router = Router()
    router.get("/things/:id") { request in
        if request.parameter("id") == "missing" { throw HTTPError(.notFound, "no such thing") }
        return .text("thing")
    }
    router.add(.post, "/quick", immediate: { _ in .text("quick", status: .created) })
    router.get("/private") { _ in .text("secret") }
    router.webSocket("/socket") { socket, _ in socket.close(code: 1000, reason: "") }
    router.gate = { request, route in route.pattern == "/private" ? Response.text("no", status: .forbidden) : nil }
    router.observer = heard.observer()

    _ = await router.respond(to: try Request(method: .get, target: "/things/7?token=abc"))
    _ = await router.respond(to: try Request(method: .get, target: "/things/missing"))
    _ = await router.respond(to: try Request(method: .post, target: "/quick"))
    _ = await router.respond(to: try Request(method: .get, target: "/private"))
    _ = await router.respond(to: try Request(method: .get, target: "/nowhere"))
    _ = await router.respond(to: try Request(method: .delete, target: "/quick"))
    _ = try await router.connectWebSocket(try Request(method: .get, target: "/socket")).get()

    #expect(heard.all.allSatisfy { $0.duration >= .zero })
    #expect(heard.lines == ["GET /things/:id 200", "GET /things/:id 404", "POST /quick 201", "GET /private 403",
                            "GET - 404", "DELETE - 405", "GET /socket 101"])
}

@Test func overASocketAnswersAndUpgradesAreHeardButUnparseableRequestsAreNot() async throws {
    let heard = Heard()
    var router = Router()
    router.get("/hello/:name") { request in .text("hello \(request.parameter("name")!)") }
    router.webSocket("/socket") { socket, _ in socket.close(code: 1000, reason: "") }
    router.observer = heard.observer()
    let server = HTTPServer(configuration: .init(port: 0, loopCount: 1, logger: Logger(level: .off)), router: router)
    let port = try server.start()
    let (hello, upgrade, garbage) = await offThePool {
        let client = TestClient(port: port)
        client.send("GET /hello/ada HTTP/1.1\r\nHost: x\r\n\r\n")
        let hello = client.response().head
        let socket = TestClient(port: port)
        socket.send("GET /socket HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
        let upgrade = socket.response().head
        let broken = TestClient(port: port)
        broken.send("NOT HTTP AT ALL\r\n\r\n")
        return (hello, upgrade, broken.response().head)
    }
    #expect(hello.hasPrefix("HTTP/1.1 200"))
    #expect(upgrade.hasPrefix("HTTP/1.1 101"))
    #expect(garbage.hasPrefix("HTTP/1.1 400"))
    await server.shutdown(gracePeriod: 2)
    #expect(heard.lines.contains("GET /hello/:name 200"))
    #expect(heard.lines.contains("GET /socket 101"))
    #expect(heard.all.count == 2, "\(heard.lines)")
}
