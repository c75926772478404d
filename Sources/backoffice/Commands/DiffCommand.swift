import BackOfficeApp
import ConfigRepo

/// `backoffice diff BASE HEAD`: the change in words, for reviewers and pull requests.
enum DiffCommand: Command {
    static let name = "diff"
    static let summary = "describe the change between two commits, its validation and runtime effect"
    static let help = """
        usage: backoffice diff BASE HEAD [--repo DIR] [--format text|markdown|json] [--state STATE]

        Describes going from commit BASE to commit HEAD (commits, branches or revision
        expressions such as origin/main or HEAD~1):

          - every changed object in words, one line each:
              systems/sys-l2-ferry: capacity 8 → 12
              zones: + zone-hp-l4 "Level 4"
            secrets and encrypted settings say "changed", never their values or keys;
          - whether HEAD passes the validation gate, with each problem (as `backoffice check`);
          - what applying HEAD after BASE would do at runtime: modules started, stopped,
            restarted, reconnected or updated, systems remapped, trigger instances started,
            stopped or restarted (nothing runs: it is a preview).

        The markdown form is meant for a comment on a pull request (docs/git-workflows.md has
        GitHub Actions and GitLab CI examples). Exit status: 0 when the review was printed
        (whether HEAD passes or not: `backoffice check` is the gate), 2 on a usage error
        (bad option, no repository, unknown revision).

          --repo DIR       the configuration repository (default: the current directory)
          --format FORMAT  text (default), markdown or json
          --state STATE    the state directory (default: .backoffice); with its deployment
                           secret, encrypted values are checked to open and the runtime plan
                           compares decrypted settings
        """
    static let arguments = ArgumentSpec(valueOptions: ["repo", "format", "state", "branch"], positionals: 2...2)

    static func run(_ arguments: ParsedArguments) async throws -> Int32 {
        let formatName = arguments.value("format") ?? "text"
        guard let format = ChangeReviewFormat(rawValue: formatName) else {
            throw UsageError("unknown format \"\(formatName)\" (text, markdown or json)")
        }
        let repository = try RepositoryOption.open(arguments)
        let base: Snapshot, head: Snapshot
        do {
            base = try repository.snapshot(at: arguments.positionals[0])
            head = try repository.snapshot(at: arguments.positionals[1])
        } catch {
            throw UsageError("\(error)")
        }
        let review = ChangeReview(repository: repository, base: base, head: head)
        let output = format.render(review)
        Terminal.print(output.hasSuffix("\n") ? String(output.dropLast()) : output)
        return 0
    }
}
