import ConfigRepo
import Foundation

/// A real git repository created from the sample building in a temporary directory, with its
/// secrets sealed as `backoffice init` does. The directory goes with the value.
public struct SampleRepository: Sendable {
    public let root = TemporaryDirectory()
    public let repository: ConfigRepository

    /// The repository's working tree.
    public var path: String { root.path + "/config" }
    /// A state directory beside it (deployment secret, auth state, site).
    public var stateDirectory: String { root.path + "/state" }

    public static let alice = Signature(name: "Alice Admin", email: "alice@harbourpoint.example")
    public static let bob = Signature(name: "Bob Support", email: "bob@harbourpoint.example")

    public init() throws {
        let secret = try DeploymentSecret.loadOrCreate(stateDirectory: root.path + "/state")
        let sealer = SecretSealer(box: SecretBox(secret: secret))
        let store = try ConfigStore.create(at: root.path + "/config", from: Checkout.sampleConfig, message: "Initial configuration",
                                           transform: { path, bytes in sealer.sealFile(path: path, bytes: bytes) })
        repository = ConfigRepository(store: store, secretBox: sealer.box)
    }
}
