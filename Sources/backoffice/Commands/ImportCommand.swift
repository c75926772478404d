import ConfigRepo
import Foundation

/// `backoffice import FILE [--repo DIR]`: many objects in one validated commit.
enum ImportCommand: Command {
    static let name = "import"
    static let summary = "create or replace many objects in one commit"
    static let help = """
        usage: backoffice import FILE [--repo DIR] [--author "Name <email>"] [--message TEXT] [--state STATE]

        Reads FILE (`-` for standard input), a JSON object keyed by kind:

          {"zones": [{"id": "zone-annex", "name": "Annex"}],
           "systems": [{"name": "Annex 1", "zones": ["zone-annex"]}]}

        and creates or replaces every object in it as one commit, through the same
        validation as the site: nothing is written when any object is invalid. Objects
        without an `id` get a new one. Plain secrets are encrypted with the deployment
        secret of STATE. Prints the commit and the number of objects.

          --repo DIR       the configuration repository (default: the current directory)
          --author AUTHOR  "Name <email>" (default: BackOffice <backoffice@localhost>)
          --message TEXT   the commit message (default: describes the change)
          --state STATE    the state directory (default: .backoffice)
        """
    static let arguments = ArgumentSpec(valueOptions: ["repo", "author", "message", "state", "branch"], positionals: 1...1)

    static func run(_ arguments: ParsedArguments) async throws -> Int32 {
        let source = arguments.positionals[0]
        let data: Data?
        if source == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            data = FileManager.default.contents(atPath: source)
        }
        guard let data else { throw UsageError("\(source): cannot read the file") }
        let file: ImportFile
        do {
            file = try ImportFile.parse([UInt8](data))
        } catch {
            error.problems.forEach { Terminal.error("\(source): \($0)") }
            return 1
        }
        let author = try arguments.value("author").map(Signature.parse) ?? .backoffice
        let repository = try RepositoryOption.open(arguments)
        do {
            let result = try repository.apply(file.edits, author: author, message: arguments.value("message"))
            Terminal.print("\(result.commit.id.hex) \(result.changed.count) object\(result.changed.count == 1 ? "" : "s")")
            return 0
        } catch .invalid(let problems) {
            Terminal.error("import refused, nothing written:")
            problems.forEach { Terminal.error("  \($0)") }
        } catch {
            Terminal.error("import refused, nothing written: \(error)")
        }
        return 1
    }
}
