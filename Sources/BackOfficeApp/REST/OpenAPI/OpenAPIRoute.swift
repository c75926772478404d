import Auth
import ConfigRepo
import Synchronization
import WebServer

/// `GET /api/engine/v2/openapi.json` (public): the generated `OpenAPIDocument` of the running
/// server. The document is made once, when every route and the access table are complete.
final class OpenAPIRoute: Sendable {
    static let pattern = RESTAPI.base + "/openapi.json"
    private let body = Mutex<String>("{}")

    /// Adds the route; call `publish` when every route is in.
    static func add(to router: inout Router) -> OpenAPIRoute {
        let route = OpenAPIRoute()
        router.add(.get, pattern, immediate: { _ in .json(route.body.withLock { $0 }) })
        return route
    }

    /// Fixes the answer: the document of `routes` with the rules of `policy`.
    func publish(routes: [RouteKey], policy: AccessPolicy, version: String) {
        let text = JSONWriter.compactString(OpenAPIDocument(routes: routes, policy: policy, version: version).json)
        body.withLock { $0 = text }
    }
}
