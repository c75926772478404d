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
        let paths = Set(files.map(\.path))
        for problem in problems {
            try require(paths.contains(problem.path), "a problem in a file the tree does not have: \(problem)")
            try require(!problem.message.isEmpty, "a problem with no message: \(problem)")
        }
        if problems.isEmpty {
            try require(snapshot.unreadable.isEmpty, "valid, yet unreadable: \(snapshot.unreadable.keys.sorted())")
        }
    }

    /// The files of `input` (`=== PATH` lines), with made-up but distinct blob ids.
    static func tree(_ input: [UInt8]) -> [RepoFile] {
        let text = String(decoding: input, as: UTF8.self)
        var files: [(path: String, lines: [Substring])] = [("systems/sys-fuzz.json", [])]
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("=== ") {
                files.append((String(line.dropFirst(4)), []))
            } else {
                files[files.count - 1].lines.append(line)
            }
        }
        if files.count > 1 && files[0].lines.allSatisfy(\.isEmpty) { files.removeFirst() }
        var seen: Set<String> = []
        var result: [RepoFile] = []
        for file in files.prefix(maximumFiles) where seen.insert(file.path).inserted {
            let bytes = Array(file.lines.joined(separator: "\n").utf8)
            let blob = ObjectID(hex: String(repeating: "0", count: 32) + hex8(result.count + 1))!
            result.append(RepoFile(path: file.path, blob: blob, bytes: bytes))
        }
        return result
    }

    static func hex8(_ value: Int) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }
}
