/// One `backoffice` subcommand. Each lives in its own file under `Commands/`.
protocol Command {
    /// The word after `backoffice`.
    static var name: String { get }
    /// One line for the command list.
    static var summary: String { get }
    /// The full `--help` text.
    static var help: String { get }
    static var arguments: ArgumentSpec { get }
    /// Runs the command and returns the process exit status.
    static func run(_ arguments: ParsedArguments) async throws -> Int32
}
