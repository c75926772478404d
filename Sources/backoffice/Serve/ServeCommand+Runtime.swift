import ConfigRepo
import DeviceSimulators
import Foundation
import Runtime

extension ServeCommand {
    /// Starts the runtime on the deployment (every module of the head commit, then each new
    /// good commit hot-applied). Unless
    /// `--no-simulators` is given, first starts a simulator for every bundled-driver module that
    /// points at 127.0.0.1, so the sample building is live on its own.
    ///
    /// Test knobs (environment): `BACKOFFICE_EXEC_TIMEOUT` (seconds, default 10),
    /// `BACKOFFICE_LIVENESS_INTERVAL` and `BACKOFFICE_LIVENESS_TIMEOUT` (10 and 5),
    /// `BACKOFFICE_DRIVER_DIR` (where bundled driver executables live; default: next to `backoffice`).
    static func startRuntime(_ deployment: Deployment, arguments: ParsedArguments, serverPort: Int? = nil) throws -> RuntimeEngine {
        let environment = ProcessInfo.processInfo.environment
        var configuration = RuntimeConfiguration(statusDirectory: deployment.stateDirectory + "/status")
        if let directory = environment["BACKOFFICE_DRIVER_DIR"] {
            configuration.resolver = StandardDriverResolver(bundledDirectory: directory)
        }
        func seconds(_ name: String) -> Double? { environment[name].flatMap(Double.init).flatMap { $0 > 0 ? $0 : nil } }
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
        try engine.follow(deployment.repository)
        Terminal.print("runtime: \(engine.moduleIDs.count) modules in \(engine.processes().count) driver processes")
        return engine
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
