import ConfigRepo
import WebServer

extension AccessPolicy {
    /// The configuration resources of the REST API (`BackOfficeApp/REST`), PlaceOS permission
    /// levels: who may read and who may write each, and the scope a token or API key needs.
    /// Handlers check the caller again against every object a write changes.
    public static let restResources: [(name: String, read: AccessRule, write: AccessRule)] = [
        ("systems", .signedIn(scope: "systems.read"), .role(.support, scope: "systems.write")),
        ("zones", .signedIn(scope: "zones.read"), .role(.support, scope: "zones.write")),
        ("modules", .role(.support, scope: "modules.read"), .role(.support, scope: "modules.write")),
        ("drivers", .role(.support, scope: "drivers.read"), .role(.admin, scope: "drivers.write")),
        // MQTT brokers: support reads them (secrets left out), admins write (PlaceOS: admin configuration).
        ("brokers", .role(.support, scope: "brokers.read"), .role(.admin, scope: "brokers.write")),
        ("repositories", .role(.support, scope: "repositories.read"), .role(.admin, scope: "repositories.write")),
        ("triggers", .role(.support, scope: "triggers.read"), .role(.admin, scope: "triggers.write")),
        ("users", .role(.support, scope: "users.read"), .role(.admin, scope: "users.write")),
        ("api_keys", .role(.admin, scope: "api_keys.read"), .role(.admin, scope: "api_keys.write")),
        ("domains", .role(.admin, scope: "domains.read"), .role(.admin, scope: "domains.write")),
        ("oauth_apps", .role(.admin, scope: "oauth_apps.read"), .role(.admin, scope: "oauth_apps.write")),
        ("schema", .role(.support, scope: "schema.read"), .role(.admin, scope: "schema.write")),
        ("oauth_auths", .role(.admin, scope: "oauth_auths.read"), .role(.admin, scope: "oauth_auths.write")),
        ("saml_auths", .role(.admin, scope: "saml_auths.read"), .role(.admin, scope: "saml_auths.write")),
        ("ldap_auths", .role(.admin, scope: "ldap_auths.read"), .role(.admin, scope: "ldap_auths.write")),
        // PlaceOS Settings records, a view over the levels of zones, systems, drivers and modules.
        ("settings", .role(.support, scope: "settings.read"), .role(.support, scope: "settings.write")),
    ]

    /// Metadata (`metadata/:parent_id…`): anyone signed in reaches the routes; the handlers
    /// apply the metadata's own rules (a user's metadata is theirs and support's; writes by
    /// support, the owning user or a group in `editors`).
    public static let restMetadata: (name: String, read: AccessRule, write: AccessRule) =
        ("metadata", .signedIn(scope: "metadata.read"), .signedIn(scope: "metadata.write"))

    /// The rule of reading (or writing) the REST resource `name`, for handlers that check again.
    public static func restRule(_ name: String, write: Bool) -> AccessRule? {
        (restResources + [restMetadata]).first { $0.name == name }.map { write ? $0.write : $0.read }
    }

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
        set(.get, base + "systems/:id/settings", .signedIn(scope: "systems.read"))
        set(.get, base + "modules/:id/settings", .role(.support, scope: "modules.read"))
        set(.get, base + "users/current", .signedIn(scope: "users.read"))
        // The caller's own SSO provider token (`AuthService.resourceToken`): theirs alone.
        set(.post, base + "users/resource_token", .signedIn(scope: "users.read"))
        // Another user's SSO token, and forgetting it: admins whose token names the users scope.
        set(.post, base + "users/:id/resource_token", .role(.admin, scope: "users.write"))
        set(.delete, base + "users/:id/resource_token", .role(.admin, scope: "users.write"))
        // Group membership by email within the caller's domain (PlaceOS: anyone signed in).
        set(.get, base + "users/groups", .signedIn(scope: "users.read"))
        set(.post, base + "users/:id/revive", .role(.admin, scope: "users.write"))
        set(.get, base + "zones/tags", .signedIn(scope: "zones.read"))
        set(.get, base + "zones/:id/triggers", .role(.support, scope: "triggers.read"))
        set(.get, base + "systems/with_emails", .signedIn(scope: "systems.read"))
        // Running modules: a zone-wide exec is checked per function like any exec; a module's
        // last error and starting it again are support's, as its state and start are.
        set(.post, base + "zones/:id/exec/:mod/:method", .signedIn(scope: "zones.write"))
        set(.get, base + "modules/:id/error", .role(.support, scope: "modules.read"))
        set(.post, base + "modules/:id/load", .role(.support, scope: "modules.write"))
        for read in ["metadata/:parent_id", "metadata/:parent_id/children", "metadata/:parent_id/history", "metadata/:name/bulk",
                     "systems/:id/metadata", "zones/:id/metadata", "users/:id/metadata"] {
            set(.get, base + read, Self.restMetadata.read)
        }
        for method in [HTTPMethod.put, .patch, .delete] { set(method, base + "metadata/:parent_id", Self.restMetadata.write) }
        set(.patch, base + "metadata/:parent_id/name", Self.restMetadata.write)
        set(.get, base + "api_keys/inspect", .signedIn)
        // The root: a health check and the version for anyone; the platform and scopes for
        // anyone signed in; this node's processes and load for admins.
        set(.get, "/api/engine/v2", .public)
        set(.get, base + "openapi.json", .public)
        set(.get, base + "version", .public)
        set(.get, base + "platform", .signedIn)
        set(.get, base + "scopes", .signedIn)
        set(.get, base + "cluster", .role(.admin, scope: "cluster.read"))
        set(.get, base + "cluster/:id", .role(.admin, scope: "cluster.read"))
    }
}
