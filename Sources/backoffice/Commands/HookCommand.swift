import ConfigRepo
import Foundation
import Auth

/// `backoffice hook pre-receive`: run by git inside a push (see ``PreReceiveHook``).
enum HookCommand: Command {
    static let name = "hook"
    static let summary = "git hooks of a configuration repository (run by git, not by hand)"
    static let help = """
        usage: backoffice hook pre-receive [--state STATE] [--branch NAME]

        Reads git's pre-receive input (`<old> <new> <ref>` per line) from standard input and
        checks an update of the tracked branch, with the pushed objects still in git's
        quarantine: the branch only moves forward; no file over its size limit and no more
        than the limit of one push; every commit the push adds validates (its whole tree,
        maps rendered, no symbolic links); the new head keeps a domain and an administrator
        who can sign in. Prints what is wrong and exits 1 to refuse the push; exits 0 to
        accept it. Deleting the tracked branch is refused; other branches pass unchecked
        (they are not applied). docs/config-format.md, "Pushing", has the rules.

          --state STATE  the state directory holding the deployment secret (default: .backoffice)
          --branch NAME  the tracked branch (default: main)
        """
    static let arguments = ArgumentSpec(valueOptions: ["state", "branch"], positionals: 1...1)

    /// The all-zero id git uses for "no commit".
    private static let noCommit = String(repeating: "0", count: 40)

    static func run(_ arguments: ParsedArguments) async throws -> Int32 {
        guard arguments.positionals[0] == "pre-receive" else {
            throw UsageError("unknown hook \"\(arguments.positionals[0])\"; only pre-receive exists")
        }
        let branch = arguments.value("branch") ?? "main"
        let tracked = "refs/heads/\(branch)"
        var refused = false
        while let line = readLine() {
            let fields = line.split(separator: " ")
            guard fields.count == 3, fields[2] == tracked else { continue }
            let old = String(fields[0]), new = String(fields[1])
            if new == noCommit {
                Terminal.error("backoffice: deleting \(branch) is refused: the deployment runs it")
                refused = true
                continue
            }
            let store = try ConfigStore(path: ".", branch: branch, packCheckInterval: 0, honouringGitEnvironment: true)
            let repository = ConfigRepository(store: store, secretBox: try StateDirectory.existingSecretBox(arguments))
            let gate = PushGate(repository: repository, branch: branch, canSignIn: passwords(arguments))
            for refusal in try gate.refusals(old: old == noCommit ? nil : old, new: new) {
                refused = true
                Terminal.error("backoffice: " + refusal.headline)
                for problem in refusal.lines { Terminal.error("  " + problem) }
            }
        }
        return refused ? 1 : 0
    }

    /// Who has a password in the state directory (read only: the hook never creates state).
    private static func passwords(_ arguments: ParsedArguments) -> (String) -> Bool {
        let directory = StateDirectory.path(arguments) + "/auth"
        guard FileManager.default.fileExists(atPath: directory + "/passwords.json"),
              let store = try? PasswordStore(authDirectory: directory) else { return { _ in false } }
        return { store.hasPassword($0) }
    }
}
