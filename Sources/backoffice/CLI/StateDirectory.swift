import ConfigRepo

/// The state directory (DESIGN §4): `--state DIR`, default `./.backoffice`.
enum StateDirectory {
    static let defaultPath = ".backoffice"

    static func path(_ arguments: ParsedArguments) -> String {
        arguments.value("state") ?? defaultPath
    }

    /// The secret box when the deployment secret exists (never creates one).
    static func existingSecretBox(_ arguments: ParsedArguments) throws -> SecretBox? {
        try DeploymentSecret.load(stateDirectory: path(arguments)).map(SecretBox.init(secret:))
    }
}
