import ConfigRepo

/// The validation gate over a whole small tree made of fuzzed files. The input is files, each
/// introduced by a line `=== PATH`; text before the first such line is `systems/sys-fuzz.json`.
/// Properties: validation answers the same problems twice; every problem names a file of the
/// tree and says something; a file the store could not read is a problem, so a tree with no
/// problem has no unreadable file.
public enum ValidationGateCheck: FuzzCheck {
    public static let name = "validation"
    static let maximumFiles = 12

    public static func check(_ input: [UInt8]) throws(PropertyViolation) {
        let files = tree(input)
        let snapshot = Snapshot(commit: nil, files: files)
        let problems = Validator(snapshot: snapshot).validateAll()
        try require(problems == Validator(snapshot: snapshot).validateAll(), "validating twice gave other problems")
        let paths = Set(files.lazy.map { $0.path })
        for problem in problems {
            try require(paths.contains(problem.path), "a problem in a file the tree does not have: \(problem)")
            try require(!problem.message.isEmpty, "a problem with no message: \(problem)")
        }
        if problems.isEmpty {
            try require(snapshot.unreadable.isEmpty, "valid, yet unreadable: \(snapshot.unreadable.keys.sorted())")
        }
    }

    /// The files of `input` (`=== PATH` lines), with made-up but distinct blob ids. Cut on the
    /// bytes: a file's bytes reach the store as they are (invalid UTF-8 included), and cutting
    /// lines as Swift characters was a fifth of this check's time.
    static func tree(_ input: [UInt8]) -> [RepoFile] {
        let marker = Array("=== ".utf8)
        var files: [(path: String, bytes: ArraySlice<UInt8>)] = []
        var path = "systems/sys-fuzz.json"
        var start = 0
        var lineStart = 0
        while lineStart <= input.count {
            let lineEnd = input[lineStart...].firstIndex(of: UInt8(ascii: "\n")) ?? input.count
            if input[lineStart..<lineEnd].starts(with: marker) {
                // The file so far ends before this line's newline (none before the first line).
                files.append((path, input[start..<max(start, lineStart - 1)]))
                path = String(decoding: input[(lineStart + marker.count)..<lineEnd], as: UTF8.self)
                start = min(lineEnd + 1, input.count)
            }
            lineStart = lineEnd + 1
        }
        files.append((path, input[start...]))
        // Text before the first `=== ` line is a file only when it holds something.
        if files.count > 1 && files[0].bytes.allSatisfy({ $0 == UInt8(ascii: "\n") }) { files.removeFirst() }
        var seen: Set<String> = []
        var result: [RepoFile] = []
        for file in files.prefix(maximumFiles) where seen.insert(file.path).inserted {
            let blob = ObjectID(hex: String(repeating: "0", count: 32) + hex8(result.count + 1))!
            result.append(RepoFile(path: file.path, blob: blob, bytes: Array(file.bytes)))
        }
        return result
    }

    static func hex8(_ value: Int) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }
}
