import ConfigRepo
import DeviceSimulators
import Foundation
import Metrics
import Runtime
import Synchronization

extension ServeCommand {
    /// Starts the runtime on the deployment (every module of the head commit, then each new
    /// good commit hot-applied). Unless
    /// `--no-simulators` is given, first starts a simulator for every bundled-driver module that
    /// points at 127.0.0.1, so the sample building is live on its own.
    ///
    /// Test knobs (environment): `BACKOFFICE_EXEC_TIMEOUT` (seconds, default 10),
    /// `BACKOFFICE_LIVENESS_INTERVAL` and `BACKOFFICE_LIVENESS_TIMEOUT` (10 and 5),
    /// `BACKOFFICE_DRIVER_DIR` (where bundled driver executables live; default: next to `backoffice`),
    /// `BACKOFFICE_BUILD_TIME_LIMIT` and `BACKOFFICE_FETCH_TIME_LIMIT` (seconds, default 300 each).
    static func startRuntime(_ deployment: Deployment, arguments: ParsedArguments, metrics: MetricsRegistry,
                             serverPort: Int? = nil) throws -> RuntimeEngine {
        let environment = ProcessInfo.processInfo.environment
        var configuration = RuntimeConfiguration(statusDirectory: deployment.stateDirectory + "/status")
        configuration.metrics = metrics
        func seconds(_ name: String) -> Double? { environment[name].flatMap(Double.init).flatMap { $0 > 0 ? $0 : nil } }
        let repositories = makeDriverRepositories(deployment, environment: environment, seconds: seconds)
        configuration.resolver = repositories
        if let value = seconds("BACKOFFICE_EXEC_TIMEOUT") { configuration.timing.execTimeout = value }
        if let value = seconds("BACKOFFICE_LIVENESS_INTERVAL") { configuration.timing.livenessInterval = value }
        if let value = seconds("BACKOFFICE_LIVENESS_TIMEOUT") { configuration.timing.livenessTimeout = value }
        if !arguments.flag("no-simulators") {
            try startSimulators(deployment, serverPort: serverPort)
            if let port = try arguments.integer("simulator-control-port", in: 0...65535) {
                let control = try FleetControlServer(port: port, fleet: SimulatorFleet(combining: simulators))
                simulatorControl = control
                Terminal.print("simulators: control port http://127.0.0.1:\(control.port)/simulators (stats, faults)")
            }
        }
        let engine = RuntimeEngine(configuration: configuration, repository: deployment.repository,
                                   secretBox: deployment.secretBox, log: { Terminal.error($0) })
        repositories.onChange { [weak engine] in engine?.reapply() }
        logProblems(of: repositories)
        driverRepositories = repositories
        try engine.follow(deployment.repository)
        repositories.repositories.poll(every: try arguments.integer("repository-poll", in: 0...86_400).map(Double.init) ?? 300)
        Terminal.print("runtime: \(engine.moduleIDs.count) modules in \(engine.processes().count) driver processes")
        return engine
    }

    /// Git repositories, builds and interface checkouts (closed at shutdown).
    nonisolated(unsafe) static var driverRepositories: DriverRepositories?

    /// Drivers from git: built against the DriverKit sources of this checkout (or
    /// `BACKOFFICE_DRIVERKIT_SOURCES`); without them only executable drivers run from git.
    private static func makeDriverRepositories(_ deployment: Deployment, environment: [String: String],
                                               seconds: (String) -> Double?) -> DriverRepositories {
        let swiftc = environment["BACKOFFICE_SWIFTC"]
        let toolchain: @Sendable () -> Result<DriverKitToolchain, RuntimeError> = {
            let found: Result<DriverKitToolchain, RuntimeError>
            if let sources = BundledFolder.driverKitSources.locate() {
                found = Result { () throws(RuntimeError) in try DriverKitToolchain(sources: sources, swiftc: swiftc) }
            } else {
                found = .failure(RuntimeError(code: "build_unavailable",
                                              message: "DriverKit's sources were not found (set BACKOFFICE_DRIVERKIT_SOURCES to the folder holding DriverKit/)"))
            }
            if case .failure(let error) = found { Terminal.error("drivers: Swift drivers from git cannot be built: \(error.message)") }
            return found
        }
        let standard = environment["BACKOFFICE_DRIVER_DIR"].map { StandardDriverResolver(bundledDirectory: $0) } ?? StandardDriverResolver()
        return DriverRepositories(stateDirectory: deployment.stateDirectory, secretBox: deployment.secretBox, toolchain: toolchain,
                                  standard: standard, fetchTimeLimit: seconds("BACKOFFICE_FETCH_TIME_LIMIT") ?? 300,
                                  compileTimeLimit: seconds("BACKOFFICE_BUILD_TIME_LIMIT") ?? 300)
    }

    /// Builds (long work: shown as they start and end), build failures and fetch errors go to
    /// the server log, each fetch error once until it changes.
    private static func logProblems(of repositories: DriverRepositories) {
        _ = repositories.builds.watch { key, state in
            switch state {
            case .building: Terminal.print("drivers: building \(key)")
            case .built: Terminal.print("drivers: built \(key)")
            case .failed(let failure): Terminal.error("drivers: \(key): \(failure.message)")
            case .queued: break
            }
        }
        let lastErrors = Mutex<[String: String]>([:])
        _ = repositories.repositories.watch { status in
            guard !status.fetching else { return }
            let changed = lastErrors.withLock { errors -> Bool in
                defer { errors[status.id] = status.error }
                return errors[status.id] != status.error
            }
            if changed, let error = status.error { Terminal.error("repositories: \(status.id): \(error)") }
        }
    }

    /// The simulators live as long as the process.
    nonisolated(unsafe) private static var simulators: [SimulatorFleet] = []
    nonisolated(unsafe) private static var simulatorControl: FleetControlServer?

    /// One simulator per local device port of a bundled-driver module (`SimulatedDevices`).
    /// Refuses, before starting any, a server port a simulator needs and a simulator port in use
    /// by another process: the modules would otherwise talk to whatever listens there (another
    /// server's simulators) without a word.
    ///
    /// A repository this start created is new: ports taken since it was made (another server
    /// starting at the same moment) are moved to free ones, in a commit, instead.
    private static func startSimulators(_ deployment: Deployment, serverPort: Int?) throws {
        var endpoints = SimulatedDevices.endpoints(in: try deployment.repository.headSnapshot())
        if let serverPort, let clash = endpoints.first(where: { $0.port == serverPort }) {
            throw SimulatorPortError("port \(serverPort) is the port of a simulated device (\(clash.label)); serve on another port, "
                             + "or with --no-simulators")
        }
        var busy = endpoints.filter { !SimulatedDevices.isFree($0.port) }
        for _ in 0..<3 where deployment.createdFromSample && !busy.isEmpty {
            let avoiding = Set(endpoints.map(\.port) + [serverPort ?? 0])
            let moves = SimulatedDevices.replacements(for: busy.map(\.port), avoiding: avoiding)
            let snapshot = try deployment.repository.headSnapshot()
            let edits = SimulatedDevices.movingPorts(moves, in: snapshot).map { Edit.overwrite($0) }
            let message = "simulators: ports in use at the first start, moved: "
                + moves.keys.sorted().map { "\($0) → \(moves[$0]!)" }.joined(separator: ", ")
            try deployment.repository.apply(edits, author: .backoffice, message: message)
            Terminal.print(message)
            endpoints = SimulatedDevices.endpoints(in: try deployment.repository.headSnapshot())
            busy = endpoints.filter { !SimulatedDevices.isFree($0.port) }
        }
        if !busy.isEmpty {
            throw SimulatorPortError("simulators: " + busy.map { "port \($0.port) (\($0.label)) is in use by another process" }.joined(separator: "; ")
                             + ". The modules would talk to whatever listens there. Free the port, give the module another port, "
                             + "or serve with --no-simulators.")
        }
        var started = 0
        var failed: [String] = []
        for endpoint in endpoints {
            do {
                simulators.append(try SimulatorFleet([SimulatorFleet.Entry(endpoint.kind, port: endpoint.port, topics: endpoint.topics)]))
                started += 1
            } catch {
                // Taken since the check: the modules would talk to whoever took it.
                if "\(error)".contains("in use") {
                    for fleet in simulators { fleet.stop() }
                    throw SimulatorPortError("simulators: port \(endpoint.port) (\(endpoint.label)) is in use by another process. "
                                             + "Free the port, give the module another port, or serve with --no-simulators.")
                }
                // Anything else (no file descriptors left): those modules stay offline, nobody else answers them.
                failed.append("\(endpoint.kind.rawValue):\(endpoint.port) (\(error))")
            }
        }
        if started > 0 { Terminal.print("simulators: \(started) simulated devices on 127.0.0.1 (--no-simulators turns them off)") }
        if !failed.isEmpty { Terminal.error("simulators: not started: " + failed.joined(separator: ", ")) }
    }
}

/// Why `serve` does not start the simulated devices it should (exit status 1).
struct SimulatorPortError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
