import ConfigRepo
import Foundation

/// Creates a configuration repository from a folder of files, sealing plain secrets with the
/// deployment secret on the way in, recording a free port for the demo MQTT broker
/// (``DemoBrokerPort``), and installing the pre-receive gate: what `init` does, and what `serve`
/// does on first start.
enum RepositoryCreation {
    /// The new repository, opened with `workingTreeUpdate`. Its simulated devices get free ports
    /// of their own, none in `avoidingPorts` (the server's), in the first commit
    /// (`SimulatedDevices`), so a second building on this machine talks to its own devices.
    static func create(at target: String, from source: String, secretBox: SecretBox, stateDirectory: String,
                       workingTreeUpdate: WorkingTreeUpdate = .immediate, avoidingPorts: Set<Int> = [8080]) throws -> ConfigRepository {
        let sealer = SecretSealer(box: secretBox)
        // The demo broker's placeholder port first (DemoBrokerPort), then every other simulator port.
        let demoBroker = DemoBrokerPort.choose()
        let moves = SimulatedDevices.portMoves(files: try sourceFiles(source), avoiding: avoidingPorts)
        var message = "Initial configuration from \(URL(fileURLWithPath: source).lastPathComponent)"
        if let moved = SimulatedDevices.describe(moves) { message += "\n\n" + moved }
        _ = try ConfigStore.create(
            at: target, from: source, author: .backoffice, message: message,
            transform: { path, bytes in
                sealer.sealFile(path: path, bytes: SimulatedDevices.movingPorts(moves, path: path, bytes: demoBroker.rewrite(path: path, bytes: bytes)))
            })
        try PreReceiveHook.install(repositoryPath: target, stateDirectory: stateDirectory)
        let store = try ConfigStore(path: target, cacheDirectory: stateDirectory + "/cache", workingTreeUpdate: workingTreeUpdate)
        return ConfigRepository(store: store, secretBox: secretBox)
    }

    /// The module and driver files of a source folder (enough to see its simulators).
    private static func sourceFiles(_ source: String) throws -> [RepoFile] {
        var files: [RepoFile] = []
        for folder in ["modules", "drivers", "repositories"] {
            let directory = source + "/" + folder
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            for name in names.sorted() where name.hasSuffix(".json") {
                guard let data = FileManager.default.contents(atPath: directory + "/" + name) else { continue }
                files.append(RepoFile(path: folder + "/" + name, blob: ObjectID(hex: String(repeating: "0", count: 40))!, bytes: [UInt8](data)))
            }
        }
        return files
    }
}
