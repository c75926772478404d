import ConfigRepo
import Foundation

/// What `serve` runs on: the state directory, its deployment secret and the configuration
/// repository (DESIGN §4, §8). On first start, without `--repo`, the repository is created at
/// `<state>/config` from the bundled sample building.
struct Deployment: Sendable {
    let stateDirectory: String
    let repository: ConfigRepository
    let secretBox: SecretBox
    /// True when this start created the repository from the sample building.
    let createdFromSample: Bool

    /// `<state>/site`: where the generated site is written.
    var siteDirectory: String { stateDirectory + "/site" }

    /// `workingTreeUpdate`: the server never waits for checkouts (`.background`); a CLI command
    /// that exits right after its commit wants the working tree updated before it returns.
    /// `serverPort`: the port `serve` will listen on, which a new building's simulators must not take.
    static func open(stateDirectory: String, repositoryPath: String?,
                     workingTreeUpdate: WorkingTreeUpdate = .background, serverPort: Int? = nil) throws -> Deployment {
        try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
        let secretBox = SecretBox(secret: try DeploymentSecret.loadOrCreate(stateDirectory: stateDirectory))
        if let repositoryPath {
            try refreshHook(repositoryPath, stateDirectory: stateDirectory)
            let store = try openStore(repositoryPath, stateDirectory, workingTreeUpdate)
            return Deployment(stateDirectory: stateDirectory, repository: ConfigRepository(store: store, secretBox: secretBox),
                              secretBox: secretBox, createdFromSample: false)
        }
        let path = stateDirectory + "/config"
        if FileManager.default.fileExists(atPath: path + "/.git") {
            try refreshHook(path, stateDirectory: stateDirectory)
            return Deployment(stateDirectory: stateDirectory,
                              repository: ConfigRepository(store: try openStore(path, stateDirectory, workingTreeUpdate), secretBox: secretBox),
                              secretBox: secretBox, createdFromSample: false)
        }
        guard let source = BundledFolder.sampleConfig.locate() else {
            throw UsageError("cannot find the bundled sample-config/ to create \(path); name a repository with --repo DIR")
        }
        let repository = try RepositoryCreation.create(at: path, from: source, secretBox: secretBox,
                                                       stateDirectory: stateDirectory, workingTreeUpdate: workingTreeUpdate,
                                                       avoidingPorts: Set([8080] + [serverPort].compactMap { $0 }.filter { $0 > 0 }))
        return Deployment(stateDirectory: stateDirectory, repository: repository, secretBox: secretBox, createdFromSample: true)
    }

    /// Rewrites our pre-receive hook so it names this binary; warns when another hook is in the way.
    private static func refreshHook(_ path: String, stateDirectory: String) throws {
        if !(try PreReceiveHook.install(repositoryPath: path, stateDirectory: stateDirectory)) {
            Terminal.error("warning: \(path)/.git/hooks/pre-receive is not ours; pushes are not validated before they land")
        }
    }

    /// The store of `path`, keeping its indexes and cold-start caches in `<state>/cache`.
    private static func openStore(_ path: String, _ stateDirectory: String, _ workingTreeUpdate: WorkingTreeUpdate) throws -> ConfigStore {
        do {
            return try ConfigStore(path: path, cacheDirectory: stateDirectory + "/cache", workingTreeUpdate: workingTreeUpdate)
        } catch {
            throw UsageError("\(path): not a configuration repository (\(error))")
        }
    }
}
