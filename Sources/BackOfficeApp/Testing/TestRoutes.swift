import Auth
import WebServer

/// Routes for end-to-end tests and benchmarks, only with the hidden `--test-routes` flag.
enum TestRoutes {
    /// The `/_test/…` routes of the web-server tests and benchmarks (public, by `addAuthRoutes`).
    static func add(to router: inout Router) {
        router.add(.get, "/_test/plaintext", immediate: { _ in .text("Hello, World!") })
        router.post("/_test/echo") { request in
            Response(status: .ok, headers: ["Content-Type": request.headers["content-type"] ?? "application/octet-stream"], body: request.body)
        }
        router.get("/_test/params/:first/:second") { request in
            .json("{\"first\":\"\(request.parameter("first") ?? "")\",\"second\":\"\(request.parameter("second") ?? "")\",\"q\":\"\(request.query("q") ?? "")\"}")
        }
        router.get("/_test/slow") { _ in
            try await Task.sleep(for: .milliseconds(300))
            return .text("slow")
        }
        router.get("/_test/status/:code") { request in
            let code = Int(request.parameter("code") ?? "") ?? 200
            return Response(status: HTTPStatus(code), headers: ["Content-Type": "text/plain"], body: Array("body".utf8))
        }
        router.get("/_test/stream") { request in
            let count = Int(request.query("count") ?? "") ?? 5
            return .stream(headers: ["Content-Type": "text/plain"]) { writer in
                for index in 0..<count { try await writer.write("chunk \(index)\n") }
                if request.query("fail") != nil { throw CancellationError() }
            }
        }
        router.get("/_test/crash") { _ in
            struct Boom: Error {}
            throw Boom()
        }
        router.webSocket("/_test/echo") { socket, _ in
            for await message in socket.messages {
                switch message {
                case .text(let text): try? await socket.send(text: text)
                case .binary(let bytes): try? await socket.send(binary: bytes)
                }
            }
        }
    }
}

extension TestRoutes {
    /// Access rules for the `/_test/…` routes, and routes that show the principal the gate set.
    static func addAuthRoutes(to router: inout Router, policy: inout AccessPolicy) {
        for key in router.routeKeys where key.pattern.hasPrefix("/_test/") { policy.set(key.method, key.pattern, .public) }
        @Sendable func whoami(_ request: Request) -> Response {
            let principal = request.principal
            return .json("{\"user_id\":\"\(principal.userID)\",\"role\":\"\(principal.role)\",\"credential\":\"\(principal.credential.rawValue)\","
                         + "\"scopes\":\(principal.scopes.map { "[" + $0.map { "\"\($0)\"" }.joined(separator: ",") + "]" } ?? "null")}")
        }
        router.get("/api/_test/whoami") { whoami($0) }
        policy.set(.get, "/api/_test/whoami", .signedIn(scope: "users.read"))
        router.get("/api/_test/systems/:id") { whoami($0) }
        policy.set(.get, "/api/_test/systems/:id", .signedIn(scope: "systems.read"))
        router.post("/api/_test/systems/:id") { whoami($0) }
        policy.set(.post, "/api/_test/systems/:id", .role(.support, scope: "systems.write"))
        router.post("/api/_test/drivers") { whoami($0) }
        policy.set(.post, "/api/_test/drivers", .role(.admin, scope: "drivers.write"))
        router.get("/_test/page") { whoami($0) }
        policy.set(.get, "/_test/page", .signedIn)
        router.webSocket("/api/_test/control") { socket, request in
            try? await socket.send(text: "hello \(request.principal.userID)")
            for await _ in socket.messages {}
        }
        policy.set(.get, "/api/_test/control", .signedIn(scope: "control"))
    }
}
