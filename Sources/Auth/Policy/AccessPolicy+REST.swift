import ConfigRepo
import WebServer

extension AccessPolicy {
    /// The configuration resources of the REST API (`BackOfficeApp/REST`), PlaceOS permission
    /// levels: who may read and who may write each, and the scope a token or API key needs.
    /// Handlers check the caller again against every object a write changes.
    static let restResources: [(name: String, read: AccessRule, write: AccessRule)] = [
        ("systems", .signedIn(scope: "systems.read"), .role(.support, scope: "systems.write")),
        ("zones", .signedIn(scope: "zones.read"), .role(.support, scope: "zones.write")),
        ("modules", .role(.support, scope: "modules.read"), .role(.support, scope: "modules.write")),
        ("drivers", .role(.support, scope: "drivers.read"), .role(.admin, scope: "drivers.write")),
    ]

    /// The rules of the REST API's routes under `/api/engine/v2`.
    mutating func addRESTRules() {
        let base = "/api/engine/v2/"
        for resource in Self.restResources {
            set(.get, base + resource.name, resource.read)
            set(.get, base + resource.name + "/:id", resource.read)
            set(.post, base + resource.name, resource.write)
            for method in [HTTPMethod.put, .patch, .delete] { set(method, base + resource.name + "/:id", resource.write) }
        }
        set(.get, base + "systems/:id/zones", .signedIn(scope: "systems.read"))
        set(.put, base + "systems/:id/module/:mod_id", .role(.support, scope: "systems.write"))
        set(.delete, base + "systems/:id/module/:mod_id", .role(.support, scope: "systems.write"))
    }
}
