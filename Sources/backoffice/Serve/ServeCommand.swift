#if canImport(Glibc)
import Glibc
#endif
import BackOfficeApp
import ConfigRepo
import Dispatch
import Foundation
import Metrics
import WebServer

/// `backoffice serve`: runs the web server until SIGINT or SIGTERM.
enum ServeCommand: Command {
    static let name = "serve"
    static let summary = "run the web server (site, health check)"
    static let help = """
        usage: backoffice serve [--host H] [--port P] [--state DIR] [--repo DIR] [--site DIR] [--log-level L] [--no-simulators]
                                [--simulator-control-port P] [--repository-poll S]
                                [--upstream URL [--upstream-branch B] [--upstream-poll S]]

        Serves the generated site at /backoffice/ and a health check at /healthz until
        interrupted (SIGINT or SIGTERM stop it gracefully within 5 seconds). On first start
        without --repo, creates the configuration repository at <state>/config from the
        bundled sample building.

          --host H         address to listen on (default: 127.0.0.1)
          --port P         TCP port (default: 8080; 0 picks a free one)
          --state DIR      the state directory (default: .backoffice)
          --repo DIR       the configuration repository (default: <state>/config)
          --site DIR       the site directory to serve (default: <state>/site; created if missing)
          --log-level L    debug, info, warning, error or off (default: info)
          --no-simulators  do not start the simulated devices of the sample building
          --simulator-control-port P
                           serve the simulators' stats and faults (drop connections, delay,
                           errors, silence) on 127.0.0.1:P (docs/driverkit.md)
          --repository-poll S
                           fetch the driver and interface repositories every S seconds
                           (default: 300; 0: only when first seen and on pull)
          --upstream URL   follow the configuration's upstream remote (GitHub, GitLab, Gitea):
                           fetch its branch at start, every --upstream-poll seconds (default 60;
                           0: only on webhooks) and on a signed POST to
                           /api/engine/v2/upstream/webhook; each new head passes the validation
                           gate before it is applied. Credentials and the webhook secret are
                           read from <state>/upstream.json (docs/git-workflows.md)
          --upstream-branch B
                           the upstream branch to follow (default: main)
        """
    /// Hidden options for tests and benchmarks: `--test-routes` adds `/_test/…` routes, among them a
    /// WebSocket echo at `/_test/echo` with 16 MiB frames for the Autobahn cases; `--head-timeout`
    /// shortens the request-head deadline. With `--test-routes`, `GET /api/_test/routes` lists every
    /// route with its access rule (`RouteTableRoute`) and `--test-unruled-route PATTERN` adds a route
    /// without a rule (the server must then refuse to start).
    static let arguments = ArgumentSpec(
        valueOptions: ["host", "port", "state", "repo", "site", "log-level", "head-timeout", "auth", "simulator-control-port",
                       "test-unruled-route", "repository-poll", "upstream", "upstream-branch", "upstream-poll"],
        flagOptions: ["test-routes", "no-simulators"])

    /// The product version reported by /healthz.
    static let version = "0.1.0"

    static func run(_ arguments: ParsedArguments) async throws -> Int32 {
        let host = arguments.value("host") ?? "127.0.0.1"
        let port = try arguments.integer("port", in: 0...65535) ?? 8080
        let state = StateDirectory.path(arguments)
        let upstreamSettings = try upstreamOption(arguments, stateDirectory: state)
        let deployment = try Deployment.open(stateDirectory: state, repositoryPath: arguments.value("repo"), serverPort: port)
        // A writer killed mid-commit may have left the working tree and index behind the branch,
        // and git refuses every push until they match: they are the server's, so reset them.
        do { try deployment.repository.store.resetWorkingTree() } catch {
            Terminal.error("warning: cannot bring the working tree of the configuration repository to the branch head: \(error)")
        }
        let site = arguments.value("site") ?? deployment.siteDirectory
        guard let level = LogLevel(name: arguments.value("log-level") ?? "info") else {
            throw UsageError("--log-level must be one of debug, info, warning, error, off")
        }
        try makeDirectories(site)
        if deployment.createdFromSample {
            Terminal.print("created the configuration repository \(state)/config from the sample building")
        }
        let head = try deployment.repository.headSnapshot()
        Terminal.print("configuration at \(head.commit?.short ?? "-"): \(head.count(.system)) systems, \(head.count(.module)) modules")

        var limits = Limits()
        if let seconds = arguments.value("head-timeout") {
            guard let value = Double(seconds), value > 0 else { throw UsageError("--head-timeout must be a positive number") }
            limits.headTimeout = value
        }
        if arguments.flag("test-routes") { limits.maxWebSocketFrameBytes = 16 * 1024 * 1024 }
        let access = try accessMode(arguments, host: host)
        // One registry for the process: the runtime records in it, the application serves it.
        let metrics = MetricsRegistry()
        let runtime = try startRuntime(deployment, arguments: arguments, metrics: metrics, serverPort: port)
        let upstream = upstreamSettings.map { settings in
            UpstreamFollower(settings: settings, repository: deployment.repository, runtime: runtime,
                             stateDirectory: deployment.stateDirectory, log: { Terminal.error($0) })
        }
        let application: Application
        do {
            application = try Application(.init(
                stateDirectory: deployment.stateDirectory, repository: deployment.repository, siteDirectory: site,
                templatesDirectory: try SiteTemplatesLocator.templates(nil), version: version, access: access,
                testRoutes: arguments.flag("test-routes"), unruledTestRoute: arguments.value("test-unruled-route"),
                logger: Logger(level: level), metrics: metrics, driverRepositories: driverRepositories, upstream: upstream),
                runtime: runtime)
        } catch let unruled as UnruledRoutes {
            throw UsageError(unruled.description)
        }
        if let report = application.site.firstRender {
            Terminal.print("site: \(report.written) pages rendered in " + String(format: "%.2f s", report.seconds))
        }
        let router = application.router
        upstream?.start()

        let server = HTTPServer(configuration: .init(host: host, port: port, limits: limits, logger: Logger(level: level),
                                                     errorPage: application.errorPage),
                                router: router)
        let signals = SignalWatcher([SIGINT, SIGTERM])
        let bound: Int
        do {
            bound = try server.start()
        } catch {
            Terminal.error("backoffice serve: cannot listen on \(host):\(port): \(error)")
            return 1
        }
        let shownHost = host.contains(":") ? "[\(host)]" : host
        // Only once listening (a link to a server that failed to start would lead nowhere), and
        // before the "serving" line, which scripts wait for.
        if let path = try application.firstAdminPath() {
            Terminal.print("No administrator can sign in yet. Create the first one (this link works once, for an hour):")
            Terminal.print("  http://\(shownHost):\(bound)\(path)")
        }
        Terminal.print("BackOffice is serving http://\(shownHost):\(bound)/backoffice/ (health: /healthz); Ctrl-C stops it")
        fflush(nil)
        let signal = await signals.next()
        Terminal.error("backoffice serve: signal \(signal), shutting down")
        await server.shutdown(gracePeriod: 4)
        upstream?.stop()
        await runtime.shutdown()
        driverRepositories?.close()
        return 0
    }

    /// `--upstream URL [--upstream-branch B] [--upstream-poll S]` with the credentials of the
    /// state directory, checked before anything starts.
    private static func upstreamOption(_ arguments: ParsedArguments, stateDirectory: String) throws -> UpstreamSettings? {
        guard let url = arguments.value("upstream") else {
            if arguments.value("upstream-branch") != nil || arguments.value("upstream-poll") != nil {
                throw UsageError("--upstream-branch and --upstream-poll need --upstream URL")
            }
            return nil
        }
        let poll = try arguments.value("upstream-poll").map { text in
            guard let seconds = Double(text), seconds >= 0 else { throw UsageError("--upstream-poll must be a number of seconds (0: webhooks only)") }
            return seconds
        } ?? 60
        do {
            return try UpstreamSettings.load(url: url, branch: arguments.value("upstream-branch") ?? "main", pollSeconds: poll,
                                             stateDirectory: stateDirectory)
        } catch {
            throw UsageError(error.description)
        }
    }

    /// `--auth on` (the default) or `off` (hidden; loopback only): every request the local
    /// administrator, for the web-server tests and the auth-overhead benchmark.
    private static func accessMode(_ arguments: ParsedArguments, host: String) throws -> Application.Access {
        switch arguments.value("auth") ?? "on" {
        case "on":
            return .signIn
        case "off":
            guard ["127.0.0.1", "::1", "localhost"].contains(host) else {
                throw UsageError("--auth off is only allowed when listening on loopback")
            }
            Terminal.error("backoffice serve: WARNING: --auth off: every request acts as the local administrator")
            return .localAdministrator
        default:
            throw UsageError("--auth must be on or off")
        }
    }

    private static func makeDirectories(_ path: String) throws {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for part in path.split(separator: "/") {
            prefix += part + "/"
            if mkdir(prefix, 0o755) != 0 && errno != EEXIST {
                throw UsageError("cannot create \(path): \(String(cString: strerror(errno)))")
            }
        }
    }
}

/// Waits for the first of some signals, which no longer kill the process.
final class SignalWatcher {
    private let stream: AsyncStream<Int32>
    private let sources: [any DispatchSourceSignal]

    init(_ signals: [Int32]) {
        let (stream, continuation) = AsyncStream<Int32>.makeStream()
        self.stream = stream
        sources = signals.map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            return source
        }
    }

    /// The next signal received.
    func next() async -> Int32 {
        for await number in stream { return number }
        return 0
    }
}
