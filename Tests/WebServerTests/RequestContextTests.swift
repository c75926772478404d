import Testing
@testable import WebServer

/// A flag an application might attach; unset, it says no.
private enum Approved: RequestContextKey {
    static var defaultValue: Bool { false }
}

@Test func aContextValueIsItsKeysDefaultUntilSomethingSetsIt() throws {
    var request = try Request(method: .get, target: "/")
    #expect(request.context[Approved.self] == false)
    request.context[Approved.self] = true
    #expect(request.context[Approved.self])
}

@Test func whatTheGateAttachesReachesTheHandlerAndNothingElseDoes() async throws {
    var router = Router()
    router.get("/open") { request in .text("\(request.context[Approved.self])") }
    router.get("/approved") { request in .text("\(request.context[Approved.self])") }
    #expect(String(decoding: await router.respond(to: try Request(method: .get, target: "/approved")).body, as: UTF8.self) == "false")
    router.gate = { request, route in
        if route.pattern == "/approved" { request.context[Approved.self] = true }
        return nil
    }
    #expect(String(decoding: await router.respond(to: try Request(method: .get, target: "/approved")).body, as: UTF8.self) == "true")
    #expect(String(decoding: await router.respond(to: try Request(method: .get, target: "/open")).body, as: UTF8.self) == "false")
}
