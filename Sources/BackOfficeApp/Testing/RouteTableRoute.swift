import Auth
import ConfigRepo
import Synchronization
import WebServer

/// `GET /api/_test/routes` (only with `--test-routes`; admins): every route of the running server
/// — method, pattern and the access rule the gate applies (`AccessPolicy.table`) — so the
/// permission-matrix test (`Tests/e2e/test_auth_matrix.py`) walks the real route table, not a
/// copy of it. The table is published once the router and the policy are complete.
final class RouteTableRoute: Sendable {
    static let pattern = "/api/_test/routes"
    private let body = Mutex<String>("[]")

    /// Adds the route and its rule; call `publish` when every route is in.
    static func add(to router: inout Router, policy: inout AccessPolicy) -> RouteTableRoute {
        let table = RouteTableRoute()
        router.get(pattern) { _ in .json(table.body.withLock { $0 }) }
        policy.set(.get, pattern, .role(.admin))
        return table
    }

    /// Fixes the answer: `routes` with the rules of `policy` (the one the gate uses).
    func publish(routes: [RouteKey], policy: AccessPolicy) {
        let text = JSONWriter.compactString(policy.table(of: routes))
        body.withLock { $0 = text }
    }
}
