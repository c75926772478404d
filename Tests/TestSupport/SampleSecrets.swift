import ConfigRepo
import Foundation

/// A deployment secret for tests that seal or open values without a repository of their own.
public enum SampleSecrets {
    public static let box: SecretBox = {
        let directory = TemporaryDirectory()
        return SecretBox(secret: try! DeploymentSecret.loadOrCreate(stateDirectory: directory.path + "/state"))
    }()
}
