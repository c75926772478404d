import ConfigRepo
import WebServer

/// The one access table: a rule for every (method, route pattern) the server answers. A route
/// without a rule is refused (403) and `serve` refuses to start with one; the permission-matrix
/// test walks this table.
public struct AccessPolicy: Sendable {
    public private(set) var rules: [RouteKey: AccessRule] = [:]

    public init() {}

    /// Sets the rule of `method pattern` (replacing any earlier one).
    public mutating func set(_ method: HTTPMethod, _ pattern: String, _ rule: AccessRule) {
        rules[RouteKey(method, pattern)] = rule
    }

    public func rule(for route: RouteKey) -> AccessRule? { rules[route] }

    /// The routes of `router` that have no rule (HEAD is covered by GET).
    public func unruled(_ routes: [RouteKey]) -> [RouteKey] { routes.filter { rules[$0] == nil } }

    /// The rules for the routes every `serve` has: health check, the site, and `/auth/…`.
    /// Site pages need a signed-in user (pages check finer roles themselves with `Principal.has`).
    /// Every route the application mounts has its row here: `serve` refuses to start otherwise.
    public static var standard: AccessPolicy {
        var policy = AccessPolicy()
        policy.set(.get, "/healthz", .public)
        // Prometheus scrapes: admins, or an API key granted `metrics` or `metrics.read` (any role).
        policy.set(.get, "/metrics", .role(.admin, orGranted: "metrics.read"))
        policy.set(.get, "/", .public)
        // The site (Sources/BackOfficeApp/Site): pages by the kind they show, forms by the kind they edit.
        policy.set(.get, "/backoffice", .signedIn)
        policy.set(.get, "/backoffice/assets/*", .public)
        policy.set(.get, "/backoffice/*", AccessRule(.viewerOfKindSegment(index: 1)))
        // Forms, GET and POST, for editors of the kind: new, edit, delete, a system's module and
        // zone lists; revert POSTs.
        for action in ["new", ":id/edit", ":id/delete", ":id/modules", ":id/zones"] {
            policy.set(.get, "/backoffice/:kind/" + action, AccessRule(.editorOfKind(parameter: "kind")))
            policy.set(.post, "/backoffice/:kind/" + action, AccessRule(.editorOfKind(parameter: "kind")))
        }
        policy.set(.post, "/backoffice/:kind/:id/revert", AccessRule(.editorOfKind(parameter: "kind")))
        // A level zone's map upload (editors of zones; the handler refuses other kinds).
        for method in [HTTPMethod.get, .post] {
            policy.set(method, "/backoffice/:kind/:id/map/upload", AccessRule(.editorOfKind(parameter: "kind")))
        }
        // A system's trigger switches (editors of systems) and "fire now" (admins, checked by the handler).
        policy.set(.post, "/backoffice/:kind/:id/triggers", AccessRule(.editorOfKind(parameter: "kind")))
        // Operating a module or a system from its page: start, stop (a commit of `running`) and
        // running a module's function by its id are support's, as over REST; the engine checks
        // each function's own security.
        for action in [":id/start", ":id/stop", ":id/exec"] {
            policy.set(.post, "/backoffice/:kind/" + action, .role(.support))
        }
        // An object's history and a module's effective settings: for viewers of the kind.
        for page in [":id/history", ":id/settings"] {
            policy.set(.get, "/backoffice/:kind/" + page, AccessRule(.viewerOfKindSegment(index: 1)))
        }
        // A zone's, system's or user's metadata: anyone signed in reaches the editor, its history
        // and revert; the handlers apply the metadata's own rules (`MetadataRights`, as REST does).
        for (method, page) in [(HTTPMethod.get, "new"), (.get, ":name/edit"), (.post, ":name/edit"), (.get, ":name/history"), (.post, ":name/revert")] {
            policy.set(method, "/backoffice/metadata/:parent_id/" + page, .signedIn)
        }
        policy.set(.get, "/backoffice/api-keys/new", .role(.admin))
        policy.set(.post, "/backoffice/api-keys/new", .role(.admin))
        policy.set(.post, "/backoffice/users/:id/permissions", .role(.admin))
        // The Metrics page (modules offline, driver processes, touch panels, charts): support and admins.
        policy.set(.get, "/backoffice/metrics", .role(.support))
        // The deployment file: support reads it, admins edit and revert it.
        policy.set(.get, "/backoffice/deployment", .role(.support))
        policy.set(.get, "/backoffice/deployment/history", .role(.support))
        policy.set(.get, "/backoffice/deployment/edit", .role(.admin))
        policy.set(.post, "/backoffice/deployment/edit", .role(.admin))
        policy.set(.post, "/backoffice/deployment/revert", .role(.admin))
        // The branches page: reviewing, merging and deleting branches of the configuration are the admins'.
        policy.set(.get, "/backoffice/branches", .role(.admin))
        // Who is signed in, with their own metadata: anyone signed in.
        policy.set(.get, "/backoffice/account", .signedIn)
        policy.set(.post, "/backoffice/branches/merge", .role(.admin))
        policy.set(.post, "/backoffice/branches/delete", .role(.admin))
        for route in AuthRoutes.routes { policy.set(route.method, route.pattern, route.rule) }
        // The runtime (Sources/BackOfficeApp/Control, Engine), PlaceOS permission levels: any user
        // reads systems and operates their unrestricted functions (per-function security is
        // checked by the engine for every exec, REST or WebSocket); modules, and starting or
        // stopping anything (a commit of `running`), are support's.
        let engine = "/api/engine/v2"
        // The control socket opens with systems.read; exec checks systems.write per command.
        policy.set(.get, engine + "/systems/control", .signedIn(scope: "systems.read"))
        // The site's live feed (dots, room colours, counts; a module's status for support).
        policy.set(.get, engine + "/live", .signedIn(scope: "systems.read"))
        for read in ["/systems/:sys/types", "/systems/:sys/functions/:mod", "/systems/:sys/:mod", "/systems/:sys/:mod/:key"] {
            policy.set(.get, engine + read, .signedIn(scope: "systems.read"))
        }
        policy.set(.post, engine + "/systems/:sys/:mod/:method", .signedIn(scope: "systems.write"))
        for action in ["start", "stop"] {
            policy.set(.post, engine + "/systems/:sys/" + action, .role(.support, scope: "systems.write"))
        }
        for read in ["/modules/:id/state", "/modules/:id/state/:key"] {
            policy.set(.get, engine + read, .role(.support, scope: "modules.read"))
        }
        for action in ["/modules/:id/start", "/modules/:id/stop", "/modules/:id/ping", "/modules/:id/exec/:method"] {
            policy.set(.post, engine + action, .role(.support, scope: "modules.write"))
        }
        // Trigger instances (Sources/BackOfficeApp/Triggers): readers of systems see their live
        // state (the webhook secret only for admins, in the handler); switching them is support's,
        // as editing a system is. Webhooks in are public: the instance's secret is the credential.
        for read in ["/systems/:sys/triggers", "/systems/:sys/triggers/:trig_id", "/triggers/:id/instances"] {
            policy.set(.get, engine + read, .signedIn(scope: "systems.read"))
        }
        for write in [HTTPMethod.put, .delete] {
            policy.set(write, engine + "/systems/:sys/triggers/:trig_id", .role(.support, scope: "systems.write"))
        }
        for method in [HTTPMethod.get, .post, .put, .patch, .delete, .options] {
            for pattern in ["/webhook/:id/notify", "/webhook/:id/notify/:secret", "/webhook/:id/notify/:secret/:mod/:index/:method"] {
                policy.set(method, engine + pattern, .public)
            }
        }
        // The upstream's push webhook is public (its signature is the credential); its state is the admins'.
        policy.set(.post, engine + "/upstream/webhook", .public)
        policy.set(.get, engine + "/upstream", .role(.admin))
        policy.addRESTRules()
        policy.addDriverRepositoryRules()
        return policy
    }
}
