import ConfigRepo
import Foundation
import Runtime
import WebServer

extension ServeCommand {
    /// Starts the runtime on the deployment (every module of the head commit, then each new
    /// good commit hot-applied) and adds its WebSocket control API and REST routes.
    ///
    /// Test knobs (environment): `BACKOFFICE_EXEC_TIMEOUT` (seconds, default 10),
    /// `BACKOFFICE_LIVENESS_INTERVAL` and `BACKOFFICE_LIVENESS_TIMEOUT` (10 and 5),
    /// `BACKOFFICE_DRIVER_DIR` (where bundled driver executables live; default: next to `backoffice`).
    static func startRuntime(_ deployment: Deployment, router: inout Router) throws -> RuntimeEngine {
        let environment = ProcessInfo.processInfo.environment
        var configuration = RuntimeConfiguration(statusDirectory: deployment.stateDirectory + "/status")
        if let directory = environment["BACKOFFICE_DRIVER_DIR"] {
            configuration.resolver = StandardDriverResolver(bundledDirectory: directory)
        }
        func seconds(_ name: String) -> Double? { environment[name].flatMap(Double.init).flatMap { $0 > 0 ? $0 : nil } }
        if let value = seconds("BACKOFFICE_EXEC_TIMEOUT") { configuration.timing.execTimeout = value }
        if let value = seconds("BACKOFFICE_LIVENESS_INTERVAL") { configuration.timing.livenessInterval = value }
        if let value = seconds("BACKOFFICE_LIVENESS_TIMEOUT") { configuration.timing.livenessTimeout = value }
        let engine = RuntimeEngine(configuration: configuration, repository: deployment.repository,
                                   secretBox: deployment.secretBox, log: { Terminal.error($0) })
        try engine.follow(deployment.repository)
        router.addControlAPI(engine: engine)
        router.addEngineAPI(engine: engine)
        Terminal.print("runtime: \(engine.moduleIDs.count) modules in \(engine.processes().count) driver processes")
        return engine
    }
}
