import ConfigRepo
import Foundation

/// `backoffice revert COMMIT [--repo DIR]`: a real revert commit, through the gate.
enum RevertCommand: Command {
    static let name = "revert"
    static let summary = "make a commit that reverts an earlier one"
    static let help = """
        usage: backoffice revert COMMIT [--repo DIR] [--author "Name <email>"] [--state STATE]

        Makes a revert commit of COMMIT on top of the branch head (git's own revert merge,
        message `Revert "<subject>"`). Refused, with nothing written, when it conflicts with
        later changes or would leave the configuration invalid.

          --repo DIR       the configuration repository (default: the current directory)
          --author AUTHOR  who reverts, as "Name <email>" (default: BackOffice <backoffice@localhost>)
          --state STATE    the state directory (default: .backoffice)
        """
    static let arguments = ArgumentSpec(valueOptions: ["repo", "author", "state", "branch"], positionals: 1...1)

    static func run(_ arguments: ParsedArguments) async throws -> Int32 {
        let author = try arguments.value("author").map(Signature.parse) ?? .backoffice
        let repository = try RepositoryOption.open(arguments)
        let commit: ObjectID
        do {
            commit = try repository.store.resolve(arguments.positionals[0])
        } catch {
            throw UsageError("\(error)")
        }
        do {
            let result = try repository.revert(commit, author: author)
            Terminal.print("\(result.commit.id.short) \(result.commit.subject)")
            return 0
        } catch .invalid(let problems) {
            Terminal.error("revert refused: it would make the configuration invalid:")
            problems.forEach { Terminal.error("  \($0)") }
        } catch .store(.revertConflict(let paths)) {
            Terminal.error("revert refused: later commits changed the same lines of \(paths.joined(separator: ", ")); nothing was written")
        } catch {
            Terminal.error("revert refused: \(error)")
        }
        return 1
    }
}
