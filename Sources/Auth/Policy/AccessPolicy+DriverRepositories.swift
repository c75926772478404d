import WebServer

extension AccessPolicy {
    /// The git side of repositories and drivers (`BackOfficeApp/DriverRepositories`): support
    /// reads (branches, commits, builds), admins act (pull, recompile, reload), as PlaceOS; and
    /// the interface web apps at `/<folder_name>/`, public like PlaceOS's frontend loader (they
    /// are static files; what they show comes from the API, which signs the reader in —
    /// docs/driver-repositories.md "Serving interfaces").
    mutating func addDriverRepositoryRules() {
        let base = "/api/engine/v2/"
        let read = AccessRule.role(.support, scope: "repositories.read")
        set(.get, base + "repositories/interfaces", read)
        for query in ["branches", "default_branch", "commits", "drivers", "details"] {
            set(.get, base + "repositories/:id/" + query, read)
        }
        set(.post, base + "repositories/:id/pull", .role(.admin, scope: "repositories.write"))
        set(.get, base + "drivers/:id/compiled", .role(.support, scope: "drivers.read"))
        set(.get, base + "drivers/:id/readme", .role(.support, scope: "drivers.read"))
        for action in ["recompile", "reload"] {
            set(.post, base + "drivers/:id/" + action, .role(.admin, scope: "drivers.write"))
        }
        // The site's repository and driver panels and their buttons.
        set(.get, "/backoffice/repositories/:id/git", .role(.support))
        set(.post, "/backoffice/repositories/:id/pull", .role(.admin))
        set(.get, "/backoffice/drivers/:id/build", .role(.support))
        set(.post, "/backoffice/drivers/:id/recompile", .role(.admin))
        set(.get, "/:folder/*", .public)
    }
}
