import ConfigRepo
import Foundation

/// Creates a configuration repository from a folder of files, sealing plain secrets with the
/// deployment secret on the way in, recording a free port for the demo MQTT broker
/// (``DemoBrokerPort``), and installing the pre-receive gate: what `init` does, and what `serve`
/// does on first start.
enum RepositoryCreation {
    /// The new repository, opened with `workingTreeUpdate`.
    static func create(at target: String, from source: String, secretBox: SecretBox, stateDirectory: String,
                       workingTreeUpdate: WorkingTreeUpdate = .immediate) throws -> ConfigRepository {
        let sealer = SecretSealer(box: secretBox)
        let demoBroker = DemoBrokerPort.choose()
        _ = try ConfigStore.create(
            at: target, from: source, author: .backoffice,
            message: "Initial configuration from \(URL(fileURLWithPath: source).lastPathComponent)",
            transform: { path, bytes in sealer.sealFile(path: path, bytes: demoBroker.rewrite(path: path, bytes: bytes)) })
        try PreReceiveHook.install(repositoryPath: target, stateDirectory: stateDirectory)
        let store = try ConfigStore(path: target, cacheDirectory: stateDirectory + "/cache", workingTreeUpdate: workingTreeUpdate)
        return ConfigRepository(store: store, secretBox: secretBox)
    }
}
