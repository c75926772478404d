import ConfigRepo
import Foundation

/// A source repository made with the git command line in a temporary directory, standing in
/// for a remote repository (git fetches local paths like any remote).
public struct ScratchGitRepository {
    public let root: String
    public var path: String { root + "/source" }

    public init() throws {
        root = NSTemporaryDirectory() + "scratch-git-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try git("init", "-q", "-b", "main")
    }

    @discardableResult
    public func git(_ arguments: String...) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/git")
        process.arguments = ["-C", path, "-c", "user.name=Ada", "-c", "user.email=ada@example.com"] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else { throw GitError(code: -1, message: text, operation: "git \(arguments)") }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    public func write(_ file: String, _ text: String, executable: Bool = false) throws {
        let full = path + "/" + file
        try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: full, atomically: true, encoding: .utf8)
        if executable { chmod(full, 0o755) }
    }

    /// Writes the files, commits them and returns the new commit.
    public func commit(_ files: [String: String], executable: Set<String> = [], message: String) throws -> ObjectID {
        for (file, text) in files { try write(file, text, executable: executable.contains(file)) }
        try git("add", "-A")
        try git("commit", "-q", "-m", message)
        return ObjectID(hex: try git("rev-parse", "HEAD"))!
    }

    public func remove() { try? FileManager.default.removeItem(atPath: root) }
}
