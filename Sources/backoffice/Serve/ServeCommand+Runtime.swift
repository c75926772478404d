import ConfigRepo
import DeviceSimulators
import Foundation
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
    static func startRuntime(_ deployment: Deployment, arguments: ParsedArguments) throws -> RuntimeEngine {
        let environment = ProcessInfo.processInfo.environment
        var configuration = RuntimeConfiguration(statusDirectory: deployment.stateDirectory + "/status")
        func seconds(_ name: String) -> Double? { environment[name].flatMap(Double.init).flatMap { $0 > 0 ? $0 : nil } }
        let repositories = makeDriverRepositories(deployment, environment: environment, seconds: seconds)
        configuration.resolver = repositories
        if let value = seconds("BACKOFFICE_EXEC_TIMEOUT") { configuration.timing.execTimeout = value }
        if let value = seconds("BACKOFFICE_LIVENESS_INTERVAL") { configuration.timing.livenessInterval = value }
        if let value = seconds("BACKOFFICE_LIVENESS_TIMEOUT") { configuration.timing.livenessTimeout = value }
        if !arguments.flag("no-simulators") {
            startSimulators(for: try deployment.repository.headSnapshot())
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
            if let sources = DriverKitSourcesLocator.locate() {
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

    /// One simulator per local device port of a bundled-driver module (`SimulatorFleet.entries`);
    /// a port already taken is reported and skipped (another server may run its own fleet).
    private static func startSimulators(for snapshot: Snapshot) {
        var endpoints: [SimulatorFleet.ModuleEndpoint] = []
        for document in snapshot.unordered(.module) {
            guard let driver = snapshot.driver(ofModule: document),
                  let repository = driver.repositoryID.flatMap({ snapshot.document(.repository, $0) }),
                  repository.string("uri")?.hasPrefix("bundled:") == true,
                  let file = driver.document.string("file_name") else { continue }
            let module = ModuleView(document)
            endpoints.append(.init(driverFile: file, ip: module.ip, port: module.port ?? driver.defaultPort,
                                   uri: module.uri ?? (module.ip == nil ? driver.defaultURI : nil),
                                   topics: mqttTopics(of: [document, driver.document])))
        }
        var started = 0
        var failed: [String] = []
        for entry in SimulatorFleet.entries(for: endpoints) {
            do {
                simulators.append(try SimulatorFleet([entry]))
                started += 1
            } catch {
                failed.append("\(entry.kind.rawValue):\(entry.port)")
            }
        }
        if started > 0 { Terminal.print("simulators: \(started) simulated devices on 127.0.0.1 (--no-simulators turns them off)") }
        if !failed.isEmpty { Terminal.error("simulators: ports in use, not simulated: \(failed.joined(separator: ", "))") }
    }

    /// The topics an MQTT sensor reads, from its and its driver's `settings.none.statuses`
    /// (wildcard filters left out): where its simulator publishes.
    private static func mqttTopics(of documents: [ConfigDocument]) -> [String] {
        var topics: Set<String> = []
        for document in documents {
            let statuses = document["settings"]?.objectValue?["none"]?.objectValue?["statuses"]?.objectValue ?? [:]
            for source in statuses.values {
                if let topic = source.objectValue?["topic"]?.stringValue, !topic.contains("+"), !topic.contains("#") {
                    topics.insert(topic)
                }
            }
        }
        return topics.sorted()
    }
}
