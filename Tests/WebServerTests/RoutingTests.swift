import Testing
@testable import WebServer

@Test func routerMatchesLiteralsParametersAndRest() {
    var router = Router()
    router.get("/a/b") { _ in .text("ab") }
    router.get("/users/:id/posts/:post") { _ in .text("p") }
    router.post("/users/:id") { _ in .text("u") }
    router.add(.get, "/files/*", immediate: { _ in .text("f") })
    func outcome(_ method: HTTPMethod, _ target: String) -> String {
        let parsed = try! RequestTarget.parse(target)
        switch router.match(method: method, path: parsed.path, segments: parsed.segments) {
        case .found(_, let parameters): return "found " + parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        case .methodNotAllowed(let allowed): return "405 " + allowed.joined(separator: ",")
        case .notFound: return "404"
        }
    }
    #expect(outcome(.get, "/a/b") == "found ")
    #expect(outcome(.head, "/a/b/") == "found ")
    #expect(outcome(.get, "/users/7/posts/x%20y") == "found id=7,post=x y")
    #expect(outcome(.delete, "/users/7") == "405 POST")
    #expect(outcome(.get, "/files/deep/down.txt") == "found ")
    #expect(outcome(.get, "/nothing") == "404")
    #expect(outcome(.put, "/a/b") == "405 GET,HEAD")
}

@Test func theMostSpecificPatternWinsWhateverTheOrderAdded() {
    var router = Router()
    router.get("/systems/:sys/:mod") { _ in .text("state") }
    router.add(.get, "/systems/*", immediate: { _ in .text("rest") })
    router.get("/systems/:sys/types") { _ in .text("types") }
    router.post("/systems/:sys/start") { _ in .text("start") }
    router.get("/systems/zones/:sys") { _ in .text("zones") }
    func handler(_ method: HTTPMethod, _ target: String) -> String {
        let parsed = try! RequestTarget.parse(target)
        guard case .found(_, _, let route) = router.lookup(method: method, path: parsed.path, segments: parsed.segments)
        else { return "none" }
        return route.pattern
    }
    #expect(handler(.get, "/systems/s1/types") == "/systems/:sys/types")
    #expect(handler(.get, "/systems/s1/Display_1") == "/systems/:sys/:mod")
    #expect(handler(.get, "/systems/s1/start") == "/systems/:sys/:mod")   // the literal route is POST only
    #expect(handler(.post, "/systems/s1/start") == "/systems/:sys/start")
    #expect(handler(.get, "/systems/zones/types") == "/systems/zones/:sys")
    #expect(handler(.get, "/systems/a/b/c") == "/systems/*")
    #expect(router.routeKeys.map(\.pattern) == ["/systems/:sys/:mod", "/systems/*", "/systems/:sys/types", "/systems/:sys/start", "/systems/zones/:sys"])
}

@Test func aConditionalRouteClaimsOnlyThePathsItAccepts() {
    var router = Router()
    router.add(.get, "/:folder/*", where: { $0["folder"] == "ui" }, blocking: { _ in .text("app") })
    router.get("/backoffice/*") { _ in .text("site") }
    func outcome(_ method: HTTPMethod, _ target: String) -> String {
        let parsed = try! RequestTarget.parse(target)
        switch router.lookup(method: method, path: parsed.path, segments: parsed.segments) {
        case .found(_, _, let route): return route.pattern
        case .methodNotAllowed(let allowed): return "405 " + allowed.joined(separator: ",")
        case .notFound: return "404"
        }
    }
    #expect(outcome(.get, "/ui/") == "/:folder/*")
    #expect(outcome(.get, "/ui") == "/:folder/*")
    #expect(outcome(.get, "/ui/rooms/42") == "/:folder/*")
    #expect(outcome(.post, "/ui/x") == "405 GET,HEAD")
    // Any other first segment is not the route's: unknown for every method, not 405.
    #expect(outcome(.get, "/nowhere") == "404")
    #expect(outcome(.post, "/nowhere") == "404")
    #expect(outcome(.get, "/backoffice/x") == "/backoffice/*")
}

@Test func requestTargetsDecodeOnce() throws {
    let parsed = try RequestTarget.parse("/a%2520b/c%2Fd?x=1+2&y=%26&empty&x=3")
    #expect(parsed.segments == ["a%20b", "c/d"])
    #expect(parsed.query.map { "\($0.name)=\($0.value)" } == ["x=1 2", "y=&", "empty=", "x=3"])
    #expect(try RequestTarget.parse("http://example.com/p?q=1").path == "/p")
    #expect(try RequestTarget.parse("http://example.com").path == "/")
}

@Test(arguments: ["/../x", "/a/%2e%2E/b", "/a/./b", "/a%00", "/%zz", "/%c3%28", "/a#frag", "ftp://x/y", "x"])
func badTargetsAreRejected(target: String) {
    #expect(throws: HTTPError.self) { try RequestTarget.parse(target) }
}

@Test func errorRenderingFollowsAccept() {
    let error = HTTPError(.notFound, "no <such> thing")
    let json = ErrorRenderer.response(for: error, requestID: "r1", accept: "application/json")
    #expect(String(decoding: json.body, as: UTF8.self) == "{\"error\":\"no <such> thing\",\"status\":404,\"request_id\":\"r1\"}\n")
    let html = ErrorRenderer.response(for: error, requestID: "r1", accept: "text/html")
    #expect(String(decoding: html.body, as: UTF8.self).contains("no &lt;such&gt; thing"))
    #expect(ErrorRenderer.response(for: error, requestID: "r1", accept: "application/json, text/html").headers["Content-Type"] == "application/json")
}

@Test func serializerOwnsFramingHeaders() {
    let date = Array("Sat, 21 Nov 2026 16:00:00 GMT".utf8)
    var response = Response.text("hello")
    response.headers.add("Content-Length", "999")
    response.headers.add("X-Evil", "a\r\nSet-Cookie: b")
    response.headers.add("X-Bad: x\r\nY", "z")
    let text = String(decoding: ResponseSerializer.serialize(response, isHead: false, version: .http1_1, keepAlive: true,
                                                             date: date, requestID: "id"), as: UTF8.self)
    #expect(text.hasPrefix("HTTP/1.1 200 OK\r\nServer: BackOffice\r\nDate: Sat, 21 Nov 2026 16:00:00 GMT\r\n"))
    #expect(text.contains("Content-Length: 5\r\n") && !text.contains("999"))
    #expect(text.contains("X-Evil: aSet-Cookie: b\r\n"))
    #expect(!text.contains("X-Bad") && !text.contains("\r\nY"))
    #expect(text.hasSuffix("X-Request-ID: id\r\n\r\nhello"))

    let head = String(decoding: ResponseSerializer.serialize(.text("hello"), isHead: true, version: .http1_0, keepAlive: false,
                                                             date: date, requestID: "id"), as: UTF8.self)
    #expect(head.contains("Content-Length: 5\r\n") && head.contains("Connection: close\r\n") && head.hasSuffix("\r\n\r\n"))
    let noContent = String(decoding: ResponseSerializer.serialize(Response(status: .noContent, body: [1]), isHead: false,
                                                                  version: .http1_1, keepAlive: true, date: date, requestID: "id"), as: UTF8.self)
    #expect(!noContent.contains("Content-Length") && noContent.hasSuffix("\r\n\r\n"))
}

@Test func httpDatesRoundTrip() {
    #expect(HTTPDate.format(epochSeconds: 784111777) == "Sun, 06 Nov 1994 08:49:37 GMT")
    #expect(HTTPDate.parse("Sun, 06 Nov 1994 08:49:37 GMT") == 784111777)
    #expect(HTTPDate.parse("Sunday, 06-Nov-94 08:49:37 GMT") == nil)
}

@Test func routerAnswersInProcess() async throws {
    var router = Router()
    router.get("/things/:id") { request in .text("thing \(request.parameter("id")!)") }
    router.post("/things") { _ in throw HTTPError(.conflict, "already there") }
    router.get("/broken") { _ in throw CancellationError() }
    router.webSocket("/ws") { _, _ in }
    func call(_ method: HTTPMethod, _ target: String) async throws -> Response {
        try await router.respond(to: Request(method: method, target: target, headers: ["accept": "application/json"]))
    }
    #expect(try await call(.get, "/things/7").body == Array("thing 7".utf8))
    #expect(try await call(.post, "/things").status == .conflict)
    #expect(try await call(.delete, "/things/7").headers["Allow"] == "GET, HEAD")
    #expect(try await call(.get, "/nowhere").status == .notFound)
    let broken = try await call(.get, "/broken")
    #expect(broken.status == .internalServerError && !String(decoding: broken.body, as: UTF8.self).contains("Cancellation"))
    #expect(try await call(.get, "/ws").status.code == 426)
}

@Test func customErrorPageForHTMLClients() async throws {
    let router = Router()
    let page: ErrorPage = { status, message, id in "<h1>\(status.code)</h1><p>\(message)</p><!-- \(id) -->" }
    let html = await router.respond(to: try Request(method: .get, target: "/x", headers: ["accept": "text/html"], id: "r9"), errorPage: page)
    #expect(String(decoding: html.body, as: UTF8.self) == "<h1>404</h1><p>Not Found</p><!-- r9 -->")
    let json = await router.respond(to: try Request(method: .get, target: "/x", headers: ["accept": "application/json"], id: "r9"), errorPage: page)
    #expect(json.headers["Content-Type"] == "application/json")
}
