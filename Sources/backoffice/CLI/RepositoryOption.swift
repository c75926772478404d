import ConfigRepo

/// `--repo DIR` (default: the current directory) and `--branch NAME` (default: main),
/// shared by the commands that work on a configuration repository.
enum RepositoryOption {
    /// The repository, with the deployment secret of `--state` when it exists. A path that
    /// is not a repository is a usage error (exit 2).
    static func open(_ arguments: ParsedArguments, secretBox: SecretBox? = nil) throws -> ConfigRepository {
        let path = arguments.value("repo") ?? "."
        do {
            return try ConfigRepository(path: path, branch: arguments.value("branch") ?? "main",
                                        secretBox: try secretBox ?? StateDirectory.existingSecretBox(arguments))
        } catch {
            throw UsageError("\(path): not a configuration repository (\(error))")
        }
    }
}
