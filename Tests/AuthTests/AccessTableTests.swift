import ConfigRepo
import Testing
@testable import Auth
@testable import WebServer

/// The route table as data (`AccessPolicy.table`, served by `serve --test-routes` at
/// `/api/_test/routes` for the permission-matrix e2e test).
@Suite struct AccessTableTests {
    @Test func rulesDescribeThemselvesAsData() {
        #expect(AccessRule.public.json == ["access": "public", "scope": nil])
        #expect(AccessRule.signedIn(scope: "systems.read").json == ["access": "signed_in", "scope": "systems.read"])
        #expect(AccessRule.role(.support, scope: "modules.write").json == ["access": "role", "role": "support", "scope": "modules.write"])
        #expect(AccessRule(.editorOfKind(parameter: "kind")).json == ["access": "editor_of_kind", "parameter": "kind", "scope": nil])
        #expect(AccessRule(.viewerOfKindSegment(index: 1)).json == ["access": "viewer_of_kind", "segment": 1, "scope": nil])
    }

    @Test func theTableListsEveryRouteInOrderAndNamesTheOnesWithoutARule() throws {
        let policy = AccessPolicy.standard
        let routes = [RouteKey(.get, "/healthz"), RouteKey(.post, "/api/engine/v2/modules/:id/ping"), RouteKey(.get, "/api/engine/v2/new")]
        let rows = try #require(policy.table(of: routes).arrayValue)
        #expect(rows.count == 3)
        #expect(rows[0] == ["method": "GET", "pattern": "/healthz", "rule": ["access": "public", "scope": nil], "text": "public"])
        #expect(rows[1].objectValue?["rule"] == ["access": "role", "role": "support", "scope": "modules.write"])
        #expect(rows[1].objectValue?["text"] == "role support, scope modules.write")
        #expect(rows[2].objectValue?["rule"] == .null && rows[2].objectValue?["text"] == "no rule")
        // The same route the table shows without a rule is the one `serve` refuses to start with.
        #expect(policy.unruled(routes) == [RouteKey(.get, "/api/engine/v2/new")])
    }

    @Test func aRouteAddedToServesRouterWithoutARuleIsCaught() throws {
        let bed = try AuthTestbed()
        var router = bed.router
        #expect(AccessPolicy.standard.unruled(router.routeKeys).isEmpty)
        router.post("/backoffice/:kind/:id/archive") { _ in .text("archived") }
        router.webSocket("/api/engine/v2/debug") { _, _ in }
        #expect(AccessPolicy.standard.unruled(router.routeKeys) == [RouteKey(.post, "/backoffice/:kind/:id/archive"),
                                                                   RouteKey(.get, "/api/engine/v2/debug")])
    }
}
