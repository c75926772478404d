import Auth
import ConfigRepo
import Metrics
import Runtime
import SiteGen
import WebServer

/// What `backoffice serve` answers, assembled from its features: the health check, the site
/// (pages, forms, assets), the runtime's WebSocket control API, live feed and REST routes, the
/// `/auth/…` routes, and the access gate in front of all of them. The command line opens the
/// deployment and starts the runtime; this type decides what is served and who may ask.
public final class Application: Sendable {
    /// How requests are let in.
    public enum Access: Sendable {
        /// Sessions, tokens and API keys, checked against the access policy (`AccessPolicy.standard`).
        case signIn
        /// Every request acts as the local administrator (`serve --auth off`, loopback only).
        case localAdministrator

        /// Whether people sign in (and so can sign out).
        var signsIn: Bool { if case .signIn = self { true } else { false } }
    }

    public struct Configuration: Sendable {
        public var stateDirectory: String
        public var repository: ConfigRepository
        /// Where the pre-rendered site is written and served from.
        public var siteDirectory: String
        /// `site-templates/`.
        public var templatesDirectory: String
        /// The product version `/healthz` reports.
        public var version: String
        public var access: Access
        /// Adds the `/_test/…` routes and `GET /api/_test/routes` (`TestRoutes`).
        public var testRoutes: Bool
        /// With `testRoutes`: a route added without an access rule (the start must then fail).
        public var unruledTestRoute: String?
        public var logger: Logger
        /// The process's one registry, shared with the runtime: `/metrics` shows it, and HTTP
        /// requests and WebSocket sessions are counted in it. nil: the runtime's
        /// (`RuntimeConfiguration.metrics`), so there is never a second one.
        public var metrics: MetricsRegistry?
        /// Git repositories and driver builds: their REST routes, pages and the interface apps.
        public var driverRepositories: DriverRepositories?
        /// The upstream the configuration follows (`serve --upstream`): its webhook and state.
        public var upstream: UpstreamFollower?

        public init(stateDirectory: String, repository: ConfigRepository, siteDirectory: String, templatesDirectory: String,
                    version: String, access: Access = .signIn, testRoutes: Bool = false, unruledTestRoute: String? = nil,
                    logger: Logger = Logger(), metrics: MetricsRegistry? = nil, driverRepositories: DriverRepositories? = nil,
                    upstream: UpstreamFollower? = nil) {
            self.stateDirectory = stateDirectory
            self.repository = repository
            self.siteDirectory = siteDirectory
            self.templatesDirectory = templatesDirectory
            self.version = version
            self.access = access
            self.testRoutes = testRoutes
            self.unruledTestRoute = unruledTestRoute
            self.logger = logger
            self.metrics = metrics
            self.driverRepositories = driverRepositories
            self.upstream = upstream
        }
    }

    /// Every route, with the gate set.
    public let router: Router
    /// The site: its first render's report, its pages and forms.
    public let site: SiteService
    /// Identity and access; nil with `Access.localAdministrator`.
    public let auth: AuthService?
    /// The touch panels connected now (control sockets with `fixed_device=true`), for the Metrics page.
    public let panels = TouchPanels()
    /// Online modules and exec rate, a sample a minute, for the Metrics page's charts.
    public let history: MetricsHistory

    /// Renders the site, then mounts every feature and the gate. Throws when a route has no
    /// access rule: routes are closed by default and `serve` refuses to start with a hole.
    public init(_ configuration: Configuration, runtime: RuntimeEngine) throws {
        var router = Router()
        router.standardHeaders = SecurityHeaders.standard
        router.addHealthCheck(version: configuration.version)
        let library = try TemplateLibrary(directory: configuration.templatesDirectory)
        site = try SiteService.render(repository: configuration.repository, library: library,
                                      templatesDirectory: configuration.templatesDirectory, siteDirectory: configuration.siteDirectory,
                                      stateDirectory: configuration.stateDirectory, signOut: configuration.access.signsIn)
        site.attach(runtime: runtime)
        let access = SystemAccessRecorder()
        let metrics = configuration.metrics ?? runtime.configuration.metrics
        MetricsEndpoint.registerBuildInfo(version: configuration.version, in: metrics)
        history = MetricsHistory(stateDirectory: configuration.stateDirectory)
        history.start(engine: runtime)
        var features: [any Feature] = site.controllers + [RootRedirect(),
                                                          ControlAPI(engine: runtime, access: access, logger: configuration.logger,
                                                                     panels: panels, metrics: metrics),
                                                          EngineAPI(engine: runtime), TriggerRoutes(engine: runtime),
                                                          TriggerWebhooks(engine: runtime),
                                                          RESTAPI(repository: configuration.repository, engine: runtime, version: configuration.version),
                                                          MetricsEndpoint(registry: metrics),
                                                          MetricsPageController(site: site, panels: panels, history: history)]
        if let repositories = configuration.driverRepositories {
            site.attach(driverRepositories: repositories)
            features += [RepositoryGitController(site: site, repositories: repositories),
                         DriverBuildController(site: site, repositories: repositories),
                         DriverRepositoryRoutes(repositories: repositories, configuration: configuration.repository, engine: runtime),
                         InterfaceApps(repositories: repositories)]
        }
        if let upstream = configuration.upstream {
            site.attach(upstream: upstream)
            let logger = configuration.logger
            features.append(UpstreamWebhook(follower: upstream, log: { logger.log(.warning, $0) }))
        }
        for feature in features { feature.mount(on: &router) }
        let openAPI = OpenAPIRoute.add(to: &router)
        if configuration.testRoutes { TestRoutes.add(to: &router) }
        switch configuration.access {
        case .localAdministrator:
            router.gate = LocalAdminGate.gate
            auth = nil
        case .signIn:
            auth = try Self.installAuth(on: &router, configuration, library: library, site: site, access: access)
        }
        router.gate = SiteErrorPage.wrap(router.gate, site: site)
        router.observer = HTTPRequestMetrics.observer(metrics)
        openAPI.publish(routes: router.routeKeys, policy: auth?.policy ?? .standard, version: configuration.version)
        self.router = router
        // One watcher of the branch for every feature that follows it; the identity directory
        // first (cheap), then the site's pages (a re-render).
        let feed = HeadFeed()
        if let directory = auth?.directory { feed.subscribe { _ in directory.invalidate() } }
        feed.subscribe { [site] _ in site.headChanged() }
        try feed.start(configuration.repository)
    }

    /// Errors a browser sees (404, 403, …) as a page of the site with a way home; give it to the
    /// HTTP server (`HTTPServer.Configuration.errorPage`).
    public var errorPage: ErrorPage { SiteErrorPage.page(site: site) }

    /// The `/auth/…` routes and the gate on every route; the test routes' rules with `testRoutes`.
    private static func installAuth(on router: inout Router, _ configuration: Configuration, library: TemplateLibrary,
                                    site: SiteService, access: SystemAccessRecorder) throws -> AuthService {
        var policy = AccessPolicy.standard
        var routeTable: RouteTableRoute?
        if configuration.testRoutes {
            TestRoutes.addAuthRoutes(to: &router, policy: &policy)
            routeTable = RouteTableRoute.add(to: &router, policy: &policy)
            // Proves the start-up check below on the real binary: this route has no rule.
            if let pattern = configuration.unruledTestRoute { router.get(pattern) { _ in .text("no rule") } }
        }
        let service = try AuthService(stateDirectory: configuration.stateDirectory, repository: configuration.repository,
                                      policy: policy, logger: configuration.logger, templates: library, version: configuration.version)
        service.install(on: &router)
        routeTable?.publish(routes: router.routeKeys, policy: service.policy)
        access.attach(service.accessLog)
        // A permission change or new API key from the site counts at the next request.
        site.whenHeadMoves { service.directory.invalidate() }
        let unruled = policy.unruled(router.routeKeys)
        guard unruled.isEmpty else { throw UnruledRoutes(routes: unruled) }
        return service
    }

    /// The one-time link that creates the first administrator, when none can sign in yet.
    public func firstAdminPath() throws -> String? {
        try auth?.firstAdminPathIfNeeded()
    }
}

/// `GET /`: to the site.
struct RootRedirect: Feature {
    func mount(on router: inout Router) {
        router.add(.get, "/", immediate: { _ in .redirect(to: "/backoffice/", status: .found) })
    }
}

/// Routes without an access rule: `serve` refuses to start.
public struct UnruledRoutes: Error, CustomStringConvertible {
    public var routes: [RouteKey]
    public var description: String {
        "routes without an access rule (add them to AccessPolicy): " + routes.map(\.description).joined(separator: ", ")
    }
}
