import Foundation

/// The `git` command inside a hook: it inherits git's environment (the quarantine with the
/// pushed objects), so it sees exactly what the push would add. Used for the questions the
/// library wrapper has no call for (ancestry, the objects a push adds, file modes).
enum GitCLI {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs `git ARGS` in the current directory; its standard output. `input` goes to its stdin.
    static func run(_ arguments: [String], input: String? = nil) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git"] + arguments
        let output = Pipe(), errors = Pipe(), stdin = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = stdin
        try process.run()
        // Write and read on separate threads so neither pipe fills up and blocks git.
        let writer = Thread {
            if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
            try? stdin.fileHandleForWriting.close()
        }
        writer.start()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "git \(arguments.joined(separator: " ")): "
                          + String(decoding: message, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Whether `ancestor` is `descendant` or one of its ancestors.
    static func isAncestor(_ ancestor: String, of descendant: String) -> Bool {
        (try? run(["merge-base", "--is-ancestor", ancestor, descendant])) != nil
    }

    /// The commits `new` brings that no ref has yet, oldest first (parents before children).
    static func newCommits(_ new: String) throws -> [String] {
        try run(["rev-list", "--reverse", "--topo-order", new, "--not", "--all"]).split(separator: "\n").map(String.init)
    }

    /// The blobs `new` brings that no ref has yet: id, the first path it was found at, size.
    static func newBlobs(_ new: String) throws -> [(id: String, path: String, size: Int)] {
        var paths: [String: String] = [:]
        for line in try run(["rev-list", "--objects", new, "--not", "--all"]).split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1)
            if parts.count == 2, paths[String(parts[0])] == nil { paths[String(parts[0])] = String(parts[1]) }
        }
        guard !paths.isEmpty else { return [] }
        let ids = paths.keys.sorted()
        let checked = try run(["cat-file", "--batch-check=%(objectname) %(objecttype) %(objectsize)"],
                              input: ids.joined(separator: "\n") + "\n")
        return checked.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            guard fields.count == 3, fields[1] == "blob", let size = Int(fields[2]), let path = paths[String(fields[0])] else { return nil }
            return (String(fields[0]), path, size)
        }
    }

    /// Files `commit` adds or changes as symbolic links or submodules (modes 120000, 160000).
    static func linksAndSubmodules(in commit: String) throws -> [(path: String, mode: String)] {
        let raw = try run(["diff-tree", "-r", "-z", "--root", "--no-commit-id", "--no-renames", commit])
        // `:old new oldID newID status\0path\0` per entry.
        var found: [(String, String)] = []
        let fields = raw.split(separator: "\0", omittingEmptySubsequences: false)
        var index = 0
        while index + 1 < fields.count {
            let head = fields[index].split(separator: " ")
            let path = String(fields[index + 1])
            index += 2
            guard head.count >= 2 else { continue }
            let mode = String(head[1])
            if mode == "120000" || mode == "160000" { found.append((path, mode)) }
        }
        return found
    }
}
