import ConfigRepo
import SiteGen

/// `backoffice check [--repo DIR] [--rev REV] [--state DIR]`: the validation gate, for CI.
enum CheckCommand: Command {
    static let name = "check"
    static let summary = "validate a commit of a configuration repository"
    static let help = """
        usage: backoffice check [--repo DIR] [--rev REV] [--state STATE]

        Validates the configuration at REV (default: the head of `main`) the way the server
        does before applying a commit, and prints one line per problem:

          path/to/file.json: field.path: what is wrong

        Exit status: 0 valid, 1 problems found, 2 usage error (bad option, no repository,
        unknown revision). With the deployment secret of STATE present, encrypted values
        are also checked to open for the object, level and key they sit under. Level maps
        named by zones must parse and survive sanitising, as the site renders them.

          --repo DIR     the configuration repository (default: the current directory)
          --rev REV      a commit, branch or revision expression (default: main)
          --branch NAME  the tracked branch (default: main)
          --state STATE  the state directory (default: .backoffice)
        """
    static let arguments = ArgumentSpec(valueOptions: ["repo", "rev", "state", "branch"])

    static func run(_ arguments: ParsedArguments) async throws -> Int32 {
        let repository = try RepositoryOption.open(arguments)
        let problems: [ValidationProblem]
        let snapshot: Snapshot
        do {
            snapshot = try arguments.value("rev").map { try repository.snapshot(at: $0) } ?? repository.headSnapshot()
            // Level maps must also render (SiteGen parses them; the validator cannot).
            problems = (repository.problems(in: snapshot) + MapCheck.problems(in: snapshot)).sorted()
        } catch {
            throw UsageError("\(error)")
        }
        for problem in problems {
            Terminal.print(problem.description)
        }
        let files = Set(problems.map(\.path)).count
        let commit = snapshot.commit?.short ?? "(empty)"
        if problems.isEmpty {
            Terminal.error("\(commit): valid")
            return 0
        }
        Terminal.error("\(commit): \(problems.count) problem\(problems.count == 1 ? "" : "s") in \(files) file\(files == 1 ? "" : "s")")
        return 1
    }
}
