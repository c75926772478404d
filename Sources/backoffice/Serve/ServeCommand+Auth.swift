import ConfigRepo
import SiteGen
import WebServer

extension ServeCommand {
    /// Turns on identity and access for `serve`: the `/auth/…` routes, the access gate on every
    /// route, and — when no administrator can sign in yet — a one-time link for the first admin.
    ///
    /// Refuses to start when a route has no access rule. `--auth off` (hidden; loopback only)
    /// leaves the gate out, for the web-server tests and the auth-overhead benchmark.
    static func installAuth(on router: inout Router, arguments: ParsedArguments, deployment: Deployment,
                            host: String, port: Int, logger: Logger, site: SiteApp? = nil,
                            access: SystemAccessRecorder? = nil) throws {
        let mode = arguments.value("auth") ?? "on"
        guard mode == "on" || mode == "off" else { throw UsageError("--auth must be on or off") }
        if mode == "off" {
            guard ["127.0.0.1", "::1", "localhost"].contains(host) else {
                throw UsageError("--auth off is only allowed when listening on loopback")
            }
            Terminal.error("backoffice serve: WARNING: --auth off: every request acts as the local administrator")
            return
        }
        var policy = AccessPolicy.standard
        SiteApp.addAccessRules(to: &policy)
        var routeTable: RouteTableRoute?
        if arguments.flag("test-routes") {
            TestRoutes.addAuthRoutes(to: &router, policy: &policy)
            routeTable = RouteTableRoute.add(to: &router, policy: &policy)
            // Proves the start-up check below on the real binary: this route has no rule.
            if let pattern = arguments.value("test-unruled-route") { router.get(pattern) { _ in .text("no rule") } }
        }
        let service = try AuthService(stateDirectory: deployment.stateDirectory, repository: deployment.repository,
                                      policy: policy, logger: logger,
                                      templates: try TemplateLibrary(directory: try SiteTemplatesLocator.templates(nil)))
        service.install(on: &router)
        routeTable?.publish(routes: router.routeKeys, policy: service.policy)
        access?.attach(service.accessLog)
        // A permission change or new API key from the site counts at the next request.
        site?.whenHeadMoves { service.directory.invalidate() }
        let unruled = policy.unruled(router.routeKeys)
        guard unruled.isEmpty else {
            throw UsageError("routes without an access rule (add them to AccessPolicy): " + unruled.map(\.description).joined(separator: ", "))
        }
        if let path = try service.firstAdminPathIfNeeded() {
            let shownHost = host.contains(":") ? "[\(host)]" : host
            Terminal.print("No administrator can sign in yet. Create the first one (this link works once, for an hour):")
            Terminal.print("  http://\(shownHost):\(port)\(path)")
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
