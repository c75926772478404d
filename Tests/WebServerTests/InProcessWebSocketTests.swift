import Testing
@testable import WebServer

/// A WebSocket opened in process takes the same route and gate as over a socket.
@Test func anInProcessWebSocketTalksToItsHandlerAndEndsBothWays() async throws {
    var router = Router()
    router.webSocket("/echo") { socket, _ in
        for await message in socket.messages {
            if case .text(let text) = message {
                if text == "bye" { socket.close(code: 4000); return }
                try? await socket.send(text: text.uppercased())
            }
        }
    }
    router.get("/plain") { _ in .text("not a socket") }
    router.gate = { request, _ in request.headers["x-allow"] == nil ? .text("refused") : nil }

    let client = try await router.connectWebSocket(try Request(method: .get, target: "/echo", headers: ["x-allow": "1"])).get()
    var replies = client.messages.makeAsyncIterator()
    client.send(text: "hello")
    #expect(await replies.next() == .text("HELLO"))
    client.send(text: "bye")
    #expect(await replies.next() == nil && client.serverCloseCode == 4000)

    let refused = await router.connectWebSocket(try Request(method: .get, target: "/echo"))
    guard case .failure(let instead) = refused else { Issue.record("the gate should have answered"); return }
    #expect(String(decoding: instead.response.body, as: UTF8.self) == "refused")
    let plain = await router.connectWebSocket(try Request(method: .get, target: "/plain", headers: ["x-allow": "1"]))
    guard case .failure(let answer) = plain else { Issue.record("a plain route answers"); return }
    #expect(String(decoding: answer.response.body, as: UTF8.self) == "not a socket")
}
