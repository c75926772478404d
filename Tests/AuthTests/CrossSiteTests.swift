import ConfigRepo
import Foundation
import Testing
@testable import Auth
@testable import WebServer

/// Requests another site's page makes a browser send (issue 11, items 15, 17, 19).
@Suite struct CrossSiteTests {
    private func testbed() throws -> AuthTestbed {
        try AuthTestbed(extraRoutes: { router in
            router.post("/api/engine/v2/systems/:sys/start") { _ in .text("started") }
            router.post("/api/engine/v2/modules/:id/start") { _ in .text("started") }
            router.webSocket("/api/engine/v2/systems/control") { _, _ in }
        })
    }

    @Test func cookieAuthenticatedWritesMustComeFromThisServer() async throws {
        let bed = try testbed()
        let cookie = ("cookie", bed.sessionCookie("user-admin"))
        let target = "/api/engine/v2/systems/sys-1/start"
        // Another port of the same host is another origin (a cross-port form post).
        for origin in ["http://localhost:9999", "http://evil.example", "null"] {
            #expect(try await bed.send(.post, target, headers: [cookie, ("origin", origin)], form: [:]).status == .forbidden)
        }
        #expect(try await bed.send(.post, target, headers: [cookie, ("referer", "http://localhost:9999/x")]).status == .forbidden)
        #expect(try await bed.send(.post, target, headers: [cookie, ("sec-fetch-site", "same-site")]).status == .forbidden)
        // Our own pages, and clients that are no browser, pass.
        #expect(try await bed.send(.post, target, headers: [cookie, ("origin", "http://localhost:8080")]).status == .ok)
        #expect(try await bed.send(.post, target, headers: [cookie, ("referer", "http://localhost:8080/backoffice/")]).status == .ok)
        #expect(try await bed.send(.post, target, headers: [cookie]).status == .ok)
        // A bearer token is not sent by a browser on its own: any origin may use one.
        let bearer = ("authorization", "Bearer " + bed.token(for: "user-admin", role: .admin, scopes: ["public"]))
        #expect(try await bed.send(.post, target, headers: [bearer, ("origin", "http://evil.example")]).status == .ok)
        // Reads are not checked.
        #expect(try await bed.send(.get, "/auth/authority", headers: [cookie, ("origin", "http://evil.example")]).status == .ok)
    }

    @Test func crossOriginWebSocketUpgradesWithACookieAreRefused() async throws {
        let bed = try testbed()
        let cookie = ("cookie", bed.sessionCookie("user-admin"))
        var request = try bed.request(.get, "/api/engine/v2/systems/control",
                                      headers: [cookie, ("upgrade", "websocket"), ("origin", "http://localhost:9999")])
        #expect(bed.router.gate?(&request, RouteKey(.get, "/api/engine/v2/systems/control"))?.status == .forbidden)
        request = try bed.request(.get, "/api/engine/v2/systems/control",
                                  headers: [cookie, ("upgrade", "websocket"), ("origin", "http://localhost:8080")])
        #expect(bed.router.gate?(&request, RouteKey(.get, "/api/engine/v2/systems/control")) == nil)
        request = try bed.request(.get, "/api/engine/v2/systems/control", headers: [("upgrade", "websocket"), ("x-api-key", bed.narrowKey)])
        #expect(bed.router.gate?(&request, RouteKey(.get, "/api/engine/v2/systems/control")) == nil)
    }

    @Test func restControlGoesToTheHistoryOnlyForRealSystems() async throws {
        let bed = try testbed()
        let cookie = ("cookie", bed.sessionCookie("user-admin"))
        _ = try await bed.send(.post, "/api/engine/v2/systems/sys-1/start", headers: [cookie])
        for index in 0..<50 { _ = try await bed.send(.post, "/api/engine/v2/systems/sys-made-up-\(index)/start", headers: [cookie]) }
        let history = bed.service.accessLog.entries(userID: "user-admin")
        #expect(history.count == 1 && history.first?.systemID == "sys-1" && history.first?.action == "control")
    }

    @Test func theIssuerIsTheDomainsHostWhateverTheHostHeader() async throws {
        let bed = try testbed()
        func issuer(host: String) async throws -> String {
            let response = await bed.router.respond(to: try Request(method: .get, target: "/.well-known/openid-configuration",
                                                                    headers: ["host": host]))
            return try JSONParser.parse(response.body)["issuer"]?.stringValue ?? ""
        }
        #expect(try await issuer(host: "LOCALHOST:8080") == "http://localhost:8080")
        // A host no domain claims names no issuer: the first domain's host is used instead.
        #expect(["http://localhost:8080", "http://other.example:8080"].contains(try await issuer(host: "evil.example:8080")))
    }

    @Test func aSigningKeyOthersCanReadIsRefused() throws {
        let bed = try testbed()
        chmod(bed.state + "/auth/signing-key.pem", 0o644)
        let error = #expect(throws: SecretFileError.self) {
            _ = try AuthService(stateDirectory: bed.state, repository: nil, policy: .standard)
        }
        #expect(error?.message.contains("chmod 600") == true)
    }
}
