import Foundation

/// Validation results by tree, kept in the cache directory, so a restart onto a head it has
/// validated before skips validating 62,000 objects (250–350 ms).
///
/// Sound because validation reads nothing but the tree, whose files never change, and the
/// rules, which change with the program: each result names the build that found it (the
/// running executable's size, modification time and inode), and another build validates
/// again. Where the executable cannot be identified nothing is cached.
struct ProblemCache: Sendable {
    static let fileName = "problems-v1"
    /// Trees remembered at most (the newest).
    static let capacity = 8

    let path: String
    /// The running build, or nil when unknown.
    let build: String?

    init(directory: String, build: String? = ProblemCache.currentBuild) {
        path = directory + "/" + Self.fileName
        self.build = build
    }

    /// The problems found in `tree` by this build, if it was validated before.
    func problems(for tree: ObjectID) -> [ValidationProblem]? {
        guard let build, let entry = entries().first(where: { $0.tree == tree && $0.build == build }) else { return nil }
        return entry.problems
    }

    /// Remembers what this build found in `tree`.
    func save(_ problems: [ValidationProblem], for tree: ObjectID) {
        guard let build else { return }
        var kept = entries().filter { !($0.tree == tree && $0.build == build) }
        kept.insert(Entry(tree: tree, build: build, problems: problems), at: 0)
        let value = JSONValue.array(kept.prefix(Self.capacity).map { entry in
            .object(["tree": .string(entry.tree.hex), "build": .string(entry.build),
                     "problems": .array(entry.problems.map { .object(["path": .string($0.path), "field": .string($0.field),
                                                                      "message": .string($0.message)]) })])
        })
        let temporary = path + ".tmp-\(getpid())"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(JSONWriter.canonicalBytes(value))) else { return }
        if rename(temporary, path) != 0 { unlink(temporary) }
    }

    private struct Entry {
        var tree: ObjectID
        var build: String
        var problems: [ValidationProblem]
    }

    /// What the file holds; nothing when it is missing or unreadable (the next save replaces it).
    private func entries() -> [Entry] {
        guard let data = FileManager.default.contents(atPath: path),
              let entries = (try? JSONParser.parse([UInt8](data)))?.arrayValue else { return [] }
        return entries.compactMap { entry -> Entry? in
            guard let tree = entry["tree"]?.stringValue.flatMap(ObjectID.init(hex:)), let build = entry["build"]?.stringValue,
                  let problems = entry["problems"]?.arrayValue else { return nil }
            let decoded = problems.compactMap { problem -> ValidationProblem? in
                guard let path = problem["path"]?.stringValue, let field = problem["field"]?.stringValue,
                      let message = problem["message"]?.stringValue else { return nil }
                return ValidationProblem(path: path, field: field, message: message)
            }
            return decoded.count == problems.count ? Entry(tree: tree, build: build, problems: decoded) : nil
        }
    }

    /// The running executable's identity: size, modification time and inode.
    static let currentBuild: String? = {
        var status = stat()
        guard stat("/proc/self/exe", &status) == 0 else { return nil }
        return "\(status.st_size)-\(status.st_mtim.tv_sec).\(status.st_mtim.tv_nsec)-\(status.st_ino)"
    }()
}
