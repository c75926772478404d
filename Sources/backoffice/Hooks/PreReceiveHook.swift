import ConfigRepo
import Foundation

/// The pre-receive hook of a configuration repository (DESIGN §3.4): a push that would move the
/// tracked branch backwards, add files over the size limits, add a commit that does not
/// validate, or lock everyone out is refused, with each problem printed to the pusher
/// (``PushGate``). Installing it also sets `receive.denyNonFastForwards`.
///
/// The hook is a two-line shell script calling `backoffice hook pre-receive` by absolute path, so
/// it is rewritten whenever `init` or `serve` runs (the binary may have moved). A hook someone
/// else wrote is left alone.
enum PreReceiveHook {
    /// The line that marks a hook as ours.
    static let marker = "# installed by backoffice: validates pushes to the tracked branch"

    /// Writes (or refreshes) the hook in the repository at `repositoryPath`. Returns false when
    /// a foreign hook is in the way.
    @discardableResult
    static func install(repositoryPath: String, stateDirectory: String, branch: String = "main") throws -> Bool {
        try refuseNonFastForwards(repositoryPath: repositoryPath)
        let hooks = URL(fileURLWithPath: repositoryPath).appendingPathComponent(".git/hooks")
        try FileManager.default.createDirectory(at: hooks, withIntermediateDirectories: true)
        let hook = hooks.appendingPathComponent("pre-receive")
        if let existing = try? String(contentsOf: hook, encoding: .utf8), !existing.contains(marker) {
            return false
        }
        let binary = executablePath()
        let state = URL(fileURLWithPath: stateDirectory).standardizedFileURL.path
        let script = """
            #!/bin/sh
            \(marker)
            exec \(shellQuoted(binary)) hook pre-receive --state \(shellQuoted(state)) --branch \(shellQuoted(branch))

            """
        try Data(script.utf8).write(to: hook, options: .atomic)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: hook.path)
        return true
    }

    /// Sets `receive.denyNonFastForwards`, so git itself refuses a force push of any branch
    /// (the hook refuses one of the tracked branch with a clearer message). Set whenever the
    /// hook is installed, so repositories made before the rule get it at the next `serve`.
    static func refuseNonFastForwards(repositoryPath: String) throws {
        try GitRepository(openAt: repositoryPath).setConfig("receive.denyNonFastForwards", "true")
    }

    /// This process's executable, resolved (the hook must not depend on the pusher's PATH).
    private static func executablePath() -> String {
        if let resolved = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return resolved }
        return URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
    }

    private static func shellQuoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
