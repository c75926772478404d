import ConfigRepo
import Foundation

/// `backoffice init DIR [--from DIR] [--state DIR]`: a new configuration repository.
enum InitCommand: Command {
    static let name = "init"
    static let summary = "create a configuration repository (from the sample building by default)"
    static let help = """
        usage: backoffice init DIR [--from SOURCE] [--state STATE]

        Creates a new configuration repository in DIR (which must not exist or be empty):
        a non-bare git repository on branch `main` whose first commit, authored
        `BackOffice <backoffice@localhost>`, holds every file of SOURCE. Engineers can push
        to it (receive.denyCurrentBranch=updateInstead); a pre-receive hook refuses a push
        whose tree does not validate.

        Plain values under encrypted settings levels and secret fields are encrypted on the
        way in with the deployment secret of STATE, created there on first use.

          --from SOURCE   the files to start from (default: the bundled sample-config/)
          --state STATE   the state directory holding the deployment secret (default: .backoffice)
        """
    static let arguments = ArgumentSpec(valueOptions: ["from", "state"], positionals: 1...1)

    static func run(_ arguments: ParsedArguments) async throws -> Int32 {
        let target = arguments.positionals[0]
        guard let source = arguments.value("from") ?? BundledFolder.sampleConfig.locate() else {
            throw UsageError("cannot find the bundled sample-config/; name a source with --from DIR")
        }
        guard FileManager.default.fileExists(atPath: source) else {
            throw UsageError("--from \(source): no such directory")
        }
        let state = StateDirectory.path(arguments)
        let secret = try DeploymentSecret.loadOrCreate(stateDirectory: state)
        let repository = try RepositoryCreation.create(at: target, from: source, secretBox: SecretBox(secret: secret),
                                                       stateDirectory: state)
        let snapshot = try repository.headSnapshot()
        let objects = Kind.allCases.reduce(0) { $0 + snapshot.count($1) }
        Terminal.print("created \(target) at \(snapshot.commit?.short ?? "-") with \(objects) objects (branch main)")
        let problems = try repository.validate()
        if !problems.isEmpty {
            Terminal.error("warning: the new repository has \(problems.count) problem(s); `backoffice check --repo \(target)` lists them")
        }
        return 0
    }
}
