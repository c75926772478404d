import ConfigRepo

/// `backoffice hook pre-receive`: run by git inside a push (see ``PreReceiveHook``).
enum HookCommand: Command {
    static let name = "hook"
    static let summary = "git hooks of a configuration repository (run by git, not by hand)"
    static let help = """
        usage: backoffice hook pre-receive [--state STATE] [--branch NAME]

        Reads git's pre-receive input (`<old> <new> <ref>` per line) from standard input and
        validates the new head of the tracked branch, with the pushed objects still in git's
        quarantine. Prints one line per problem and exits 1 to refuse the push; exits 0 to
        accept it. Deleting the tracked branch is refused; other branches pass unchecked
        (they are not applied).

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
            let new = String(fields[1])
            if new == noCommit {
                Terminal.error("backoffice: deleting \(branch) is refused: the deployment runs it")
                refused = true
                continue
            }
            let store = try ConfigStore(path: ".", branch: branch, packCheckInterval: 0, honouringGitEnvironment: true)
            let repository = ConfigRepository(store: store, secretBox: try StateDirectory.existingSecretBox(arguments))
            let problems = try repository.validate(revision: new)
            guard !problems.isEmpty else { continue }
            refused = true
            Terminal.error("backoffice: \(String(new.prefix(10))) does not validate; push refused (\(problems.count) problem\(problems.count == 1 ? "" : "s")):")
            for problem in problems { Terminal.error("  \(problem.description)") }
        }
        return refused ? 1 : 0
    }
}
