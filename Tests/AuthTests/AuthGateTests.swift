import ConfigRepo
import SiteGen
import Testing
@testable import Auth
@testable import WebServer

/// A concrete path for a route pattern (`:id` → `sys-1`, `*` → `page.html`).
func samplePath(_ pattern: String) -> String {
    "/" + pattern.split(separator: "/").map { $0 == "*" ? "systems/page.html" : $0 == ":kind" ? "systems" : $0.hasPrefix(":") ? "sys-1" : String($0) }.joined(separator: "/")
}

@Suite struct AuthGateTests {
    @Test func everyRouteServeRegistersHasARuleAndAnUnruledRouteIsRefused() async throws {
        let bed = try AuthTestbed()
        #expect(AccessPolicy.standard.unruled(bed.router.routeKeys).isEmpty, "routes without a rule: \(AccessPolicy.standard.unruled(bed.router.routeKeys))")
        let extra = try AuthTestbed(extraRoutes: { router in router.get("/api/engine/v2/new") { _ in .text("oops") } })
        #expect(AccessPolicy.standard.unruled(extra.router.routeKeys) == [RouteKey(.get, "/api/engine/v2/new")])
        let response = try await extra.send(.get, "/api/engine/v2/new", headers: [("cookie", extra.sessionCookie("user-admin"))])
        #expect(response.status == .forbidden)
    }

    /// Every route × (anonymous, user, support, admin, narrow API key): the gate's answer is the
    /// one its rule prescribes, and the anonymous / narrow-key answers have the right shape.
    @Test func permissionMatrixFollowsTheRouteTable() async throws {
        var policy = AccessPolicy.standard
        policy.set(.get, "/api/engine/v2/systems/:id", .signedIn(scope: "systems.read"))
        policy.set(.put, "/api/engine/v2/systems/:id", .role(.support, scope: "systems.write"))
        policy.set(.post, "/api/engine/v2/drivers", .role(.admin, scope: "drivers.write"))
        policy.set(.get, "/backoffice/users", .role(.admin))
        let bed = try AuthTestbed(policy: policy) { router in
            router.get("/api/engine/v2/systems/:id") { _ in .text("ok") }
            router.put("/api/engine/v2/systems/:id") { _ in .text("ok") }
            router.post("/api/engine/v2/drivers") { _ in .text("ok") }
            router.get("/backoffice/users") { _ in .text("ok") }
        }
        let callers: [(String, [(String, String)], Principal?)] = [
            ("anonymous", [], nil),
            ("user", [("cookie", bed.sessionCookie("user-plain"))], Principal(userID: "u", name: "", email: "", role: .user, scopes: nil, credential: .session)),
            ("support", [("cookie", bed.sessionCookie("user-support"))], Principal(userID: "s", name: "", email: "", role: .support, scopes: nil, credential: .session)),
            ("admin", [("cookie", bed.sessionCookie("user-admin"))], Principal(userID: "a", name: "", email: "", role: .admin, scopes: nil, credential: .session)),
            ("narrow key", [("x-api-key", bed.narrowKey)], Principal(userID: "a", name: "", email: "", role: .admin, scopes: ["systems.read"], credential: .apiKey)),
        ]
        var checked = 0
        for route in bed.router.routeKeys {
            let rule = try #require(policy.rule(for: route))
            for (name, headers, model) in callers {
                var request = try bed.request(route.method, samplePath(route.pattern), headers: headers)
                if case .found(_, let parameters, let found) = bed.router.lookup(method: request.method, path: request.path, segments: request.pathSegments) {
                    #expect(found == route)
                    request.parameters = parameters
                }
                let answer = bed.service.gate(&request, route)
                let expected = rule.decide(for: model ?? .anonymous, parameters: request.parameters, segments: request.pathSegments)
                switch expected {
                case .allow:
                    #expect(answer == nil, "\(route) as \(name) should pass")
                case .signInRequired:
                    let status = answer?.status.code
                    #expect(status == 401 || status == 303, "\(route) as \(name) should ask to sign in, got \(String(describing: status))")
                case .forbidden:
                    #expect(answer?.status == .forbidden, "\(route) as \(name) should be 403")
                }
                checked += 1
            }
        }
        #expect(checked == bed.router.routeKeys.count * callers.count)
        // Fixed points of the matrix, so it cannot pass by agreeing with itself.
        #expect(try await bed.send(.put, "/api/engine/v2/systems/sys-1", headers: callers[1].1).status == .forbidden)
        #expect(try await bed.send(.put, "/api/engine/v2/systems/sys-1", headers: callers[2].1).status == .ok)
        #expect(try await bed.send(.post, "/api/engine/v2/drivers", headers: callers[2].1).status == .forbidden)
        #expect(try await bed.send(.post, "/api/engine/v2/drivers", headers: callers[3].1).status == .ok)
        #expect(try await bed.send(.get, "/api/engine/v2/systems/sys-1", headers: callers[4].1).status == .ok)
        #expect(try await bed.send(.put, "/api/engine/v2/systems/sys-1", headers: callers[4].1).status == .forbidden)
        #expect(try await bed.send(.get, "/backoffice/users", headers: callers[4].1).status == .forbidden)
        #expect(try await bed.send(.get, "/api/engine/v2/systems/sys-1").status == .unauthorized)
        // Site forms and pages by kind: support edits systems, not drivers; users edit nothing
        // and see no users, keys or drivers.
        #expect(try await bed.send(.post, "/backoffice/systems/sys-1/edit", headers: callers[2].1).status == .ok)
        #expect(try await bed.send(.post, "/backoffice/drivers/driver-1/edit", headers: callers[2].1).status == .forbidden)
        #expect(try await bed.send(.post, "/backoffice/drivers/driver-1/edit", headers: callers[3].1).status == .ok)
        #expect(try await bed.send(.post, "/backoffice/systems/new", headers: callers[1].1).status == .forbidden)
        #expect(try await bed.send(.post, "/backoffice/nonsense/x/edit", headers: callers[2].1).status == .forbidden)
        #expect(try await bed.send(.get, "/backoffice/users/index.html", headers: callers[1].1).status == .forbidden)
        #expect(try await bed.send(.get, "/backoffice/api-keys/", headers: callers[1].1).status == .forbidden)
        #expect(try await bed.send(.get, "/backoffice/users/index.html", headers: callers[2].1).status != .forbidden)
        #expect(try await bed.send(.get, "/backoffice/systems/index.html", headers: callers[1].1).status != .forbidden)
        let page = try await bed.send(.get, "/backoffice/users?tab=1", headers: [("accept", "text/html")])
        #expect(page.status == .seeOther && page.headers["location"] == "/auth/signin?continue=%2Fbackoffice%2Fusers%3Ftab%3D1")
        let html403 = try await bed.send(.get, "/backoffice/users", headers: callers[1].1 + [("accept", "text/html")])
        #expect(html403.status == .forbidden && html403.headers["content-type"]!.hasPrefix("text/html"))
        let json403 = try await bed.send(.put, "/api/engine/v2/systems/sys-1", headers: callers[1].1 + [("accept", "text/html")])
        #expect(json403.headers["content-type"] == "application/json")
        // The access history records the system viewed.
        #expect(bed.service.accessLog.entries(userID: "user-admin").first?.systemID == "sys-1")
        // The stylesheet is public (the sign-in page uses it); pages are not.
        #expect(try await bed.send(.get, "/backoffice/assets/site.css").status == .ok)
        #expect(try await bed.send(.get, "/backoffice/systems/page.html").status == .seeOther)
        // Permissions of users: admins only.
        #expect(try await bed.send(.post, "/backoffice/users/user-plain/permissions", headers: callers[2].1).status == .forbidden)
        #expect(try await bed.send(.post, "/backoffice/users/user-plain/permissions", headers: callers[1].1).status == .forbidden)
        #expect(try await bed.send(.post, "/backoffice/users/user-plain/permissions", headers: callers[3].1).status == .ok)
        // A site system page goes to the viewer's history; its forms and search do not.
        _ = try await bed.send(.get, "/backoffice/systems/sys-7/", headers: callers[1].1)
        _ = try await bed.send(.get, "/backoffice/systems/sys-8/edit", headers: callers[1].1)
        _ = try await bed.send(.get, "/backoffice/systems/?q=sys-9", headers: callers[1].1)
        let userHistory = bed.service.accessLog.entries(userID: "user-plain")
        #expect(userHistory.first?.systemID == "sys-7" && userHistory.first?.action == "view")
        #expect(!userHistory.contains { $0.systemID == "sys-8" || $0.systemID == "sys-9" })
    }

    @Test func tokensAreCheckedForAudienceRevocationDemotionAndUser() async throws {
        let bed = try AuthTestbed()
        func whoami(_ headers: [(String, String)]) async throws -> Response {
            try await bed.send(.get, "/auth/authority", headers: headers)
        }
        let good = bed.token(for: "user-support", role: .admin)
        var request = try bed.request(.get, "/", headers: [("authorization", "Bearer " + good)])
        guard case .authenticated(let principal) = bed.service.authenticate(request) else { Issue.record("token refused"); return }
        #expect(principal.role == .support)  // the token said admin; the user is support now
        #expect(principal.scopes == ["public"] && principal.credential == .bearerToken && principal.sessionID == nil)
        request = try bed.request(.get, "/", headers: [("authorization", "Bearer " + bed.token(for: "user-admin", role: .admin, audience: "other.example"))])
        #expect(bed.service.authenticate(request) == .refused(reason: "bearer token wrong audience"))
        request = try bed.request(.get, "/", headers: [("authorization", "Bearer " + bed.token(for: "user-gone", role: .admin))])
        #expect(bed.service.authenticate(request) == .refused(reason: "bearer token user no longer exists"))
        request = try bed.request(.get, "/", headers: [("authorization", "Basic abc")])
        #expect(bed.service.authenticate(request) == .refused(reason: "unsupported authorization scheme"))
        request = try bed.request(.get, "/?bearer_token=" + good)
        #expect(bed.service.authenticate(request) != .anonymous)
        bed.service.revocations.signOut("user-support", at: bed.now)
        request = try bed.request(.get, "/", headers: [("authorization", "Bearer " + good)])
        #expect(bed.service.authenticate(request) == .refused(reason: "bearer token revoked (issued before sign-out, or revoked explicitly)"))
        let later = bed.token(for: "user-support", role: .support, issuedAt: bed.now + 1)
        request = try bed.request(.get, "/", headers: [("authorization", "Bearer " + later)])
        if case .authenticated = bed.service.authenticate(request) {} else { Issue.record("a token issued after sign-out must pass") }
        let oversized = try await bed.send(.get, "/backoffice/x", headers: [("authorization", "Bearer " + String(repeating: "a", count: 10000))])
        #expect(oversized.status == .unauthorized && !oversized.text.contains("aaaa"))
        _ = try await whoami([])
    }

    @Test func apiKeysEnforceExpiryScopesAndNeverElevate() async throws {
        let bed = try AuthTestbed()
        func outcome(_ key: String, query: Bool = false) throws -> AuthenticationOutcome {
            let request = query ? try bed.request(.get, "/?api-key=" + FormEncoding.encode(key))
                                : try bed.request(.get, "/", headers: [("x-api-key", key)])
            return bed.service.authenticate(request)
        }
        guard case .authenticated(let narrow) = try outcome(bed.narrowKey) else { Issue.record("narrow key refused"); return }
        #expect(narrow.scopes == ["systems.read"] && narrow.role == .admin && narrow.credential == .apiKey)
        guard case .authenticated = try outcome(bed.narrowKey, query: true) else { Issue.record("?api-key= refused"); return }
        #expect(try outcome(bed.expiredKey) == .refused(reason: "API key key-expired expired"))
        guard case .authenticated(let elevated) = try outcome(bed.elevatingKey) else { Issue.record("key refused"); return }
        #expect(elevated.role == .user)
        let wrong = String(bed.narrowKey.dropLast()) + (bed.narrowKey.hasSuffix("A") ? "B" : "A")
        #expect(try outcome(wrong) == .refused(reason: "wrong API key secret"))
        #expect(try outcome("key-nothere.abc") == .refused(reason: "unknown API key"))
        #expect(try outcome("garbage") == .refused(reason: "malformed API key"))
    }

    @Test func roleChecksOthersCall() {
        let user = Principal(userID: "u", name: "", email: "", role: .user, credential: .session)
        let support = Principal(userID: "s", name: "", email: "", role: .support, credential: .session)
        let admin = Principal(userID: "a", name: "", email: "", role: .admin, credential: .session)
        #expect(user.mayExecute(functionSecurity: nil) && !user.mayExecute(functionSecurity: "support"))
        #expect(support.mayExecute(functionSecurity: "support") && !support.mayExecute(functionSecurity: "administrator"))
        #expect(admin.mayExecute(functionSecurity: "administrator") && !support.mayExecute(functionSecurity: "weird"))
        #expect(!Principal.anonymous.mayExecute(functionSecurity: nil))
        #expect(user.mayRead(.none) && !user.mayRead(.support) && !user.mayRead(.admin))
        #expect(support.mayRead(.support) && !support.mayRead(.admin))
        #expect(admin.mayRead(.admin) && !admin.mayRead(.neverDisplay))
        #expect(!Principal.anonymous.mayRead(.none) && !Principal.anonymous.has(.user))
    }
}
