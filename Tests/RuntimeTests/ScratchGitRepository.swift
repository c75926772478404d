import ConfigRepo
import Foundation
import Runtime

/// A source repository made with the git command line in a temporary directory, standing in
/// for a remote driver repository (git fetches local paths like any remote).
struct ScratchGitRepository {
    let root: String
    var path: String { root + "/source" }

    init() throws {
        root = NSTemporaryDirectory() + "runtime-git-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try git("init", "-q", "-b", "main")
    }

    @discardableResult
    func git(_ arguments: String...) throws -> String {
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
        guard process.terminationStatus == 0 else { throw RuntimeError(code: "git", message: text) }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Writes the files, commits them and returns the new commit.
    func commit(_ files: [String: String], executable: Set<String> = [], message: String) throws -> ObjectID {
        for (file, text) in files {
            let full = path + "/" + file
            try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: full, atomically: true, encoding: .utf8)
            if executable.contains(file) { chmod(full, 0o755) }
        }
        try git("add", "-A")
        try git("commit", "-q", "-m", message)
        return ObjectID(hex: try git("rev-parse", "HEAD"))!
    }

    func remove() { try? FileManager.default.removeItem(atPath: root) }
}

/// A driver script written from docs/driver-protocol.md that answers `--metadata` with `name`
/// (or with `metadata` verbatim).
func pythonDriverScript(name: String, metadata: String? = nil) -> String {
    let json = metadata ?? "{\"name\": \"\(name)\", \"module_name\": \"Echo\", \"role\": 99, \"functions\": {}}"
    return """
        #!/usr/bin/env python3
        import sys
        if "--metadata" in sys.argv:
            print('\(json)')
            sys.exit(0)
        print('{"type": "ready", "protocol": 1, "metadata": \(json)}', flush=True)
        for line in sys.stdin:
            pass

        """
}
