import Foundation
import Testing
@testable import ConfigRepo

@Suite struct GitTreeWritingTests {
    /// Random puts and deletes over names chosen to stress git's tree order (`a`, `a.b`,
    /// `a-b`, `a/…` directories next to files with the same prefix), checked against a
    /// dictionary model and `git fsck --strict`.
    @Test func randomEditsMatchAModelAndFsckAccepts() throws {
        let directory = TemporaryDirectory()
        let repo = try GitRepository.create(at: directory.path, branch: "refs/heads/main")
        let batch = ObjectBatch(database: ObjectDatabase.of(gitDirectory: repo.gitDirectory, honouringGitEnvironment: false))
        let names = ["a", "a.b", "a-b", "a0", "ab", "b", "z", "A", "a_b"]
        var model: [String: [UInt8]] = [:]
        var previousModel: [String: [UInt8]] = [:]
        var tree: ObjectID? = nil
        var generator = SystemRandomNumberGenerator()
        for round in 0..<200 {
            var edits: [GitTreeEdit] = []
            var touched: Set<String> = []
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                let depth = Int.random(in: 1...3, using: &generator)
                let components = (0..<depth).map { _ in names.randomElement(using: &generator)! }
                let path = components.joined(separator: "/")
                // Skip paths that would be a file and a directory at once in this model.
                let clashes = model.keys.contains { $0.hasPrefix(path + "/") || path.hasPrefix($0 + "/") }
                    || touched.contains { $0.hasPrefix(path + "/") || path.hasPrefix($0 + "/") || $0 == path }
                if clashes { continue }
                touched.insert(path)
                if Bool.random(using: &generator), model[path] != nil {
                    model[path] = nil
                    edits.append(GitTreeEdit(components: components.map { Substring($0) }, blob: nil))
                } else {
                    let bytes = Array("\(round) \(path)".utf8)
                    model[path] = bytes
                    edits.append(GitTreeEdit(components: components.map { Substring($0) }, blob: batch.add(.blob, bytes)))
                }
            }
            let previousTree = tree
            tree = try batch.applyEdits(to: tree, edits)
            let files = try batch.readAllFiles(inTree: tree!)
            #expect(Dictionary(uniqueKeysWithValues: files.map { ($0.path, $0.bytes) }) == model, "round \(round)")
            // The tree diff names exactly the files whose content changed.
            let changed = Set(model.keys).union(previousModel.keys).filter { model[$0] != previousModel[$0] }
            #expect(try batch.changedPaths(from: previousTree, to: tree!) == changed.sorted(), "round \(round)")
            previousModel = model
        }
        let commit = batch.add(.commit, try GitCommit(tree: tree!, parents: [], author: .backoffice, committer: .backoffice,
                                                      message: "random").serialized())
        try batch.flush(deflater: Deflater())
        #expect(try ReferenceFiles(gitDirectory: repo.gitDirectory)
            .compareAndSwap("refs/heads/main", to: commit, from: nil, committer: .backoffice, logMessage: "t") == .updated)
        let fsck = try runGit(["fsck", "--strict", "--no-dangling"], in: directory.path)
        #expect(fsck.status == 0, "\(fsck.output)")
        // git itself reads the same files.
        let listed = try runGit(["ls-tree", "-r", "--name-only", "main"], in: directory.path).output
        #expect(listed.split(separator: "\n").map(String.init).sorted() == model.keys.sorted())
    }

    @Test func rawTreeOrderMatchesGit() {
        func less(_ a: String, _ aTree: Bool, _ b: String, _ bTree: Bool) -> Bool {
            let zero = ObjectID(hex: String(repeating: "0", count: 40))!
            return RawTreeEntry.gitOrder(RawTreeEntry(name: a, mode: aTree ? 0o40000 : 0o100644, id: zero),
                                         RawTreeEntry(name: b, mode: bTree ? 0o40000 : 0o100644, id: zero))
        }
        #expect(less("a", false, "a.b", false))
        #expect(less("a.b", false, "a", true))   // "a." < "a/"
        #expect(less("a", true, "a0", false))    // "a/" < "a0"
        #expect(less("a", false, "a", true))
        #expect(!less("b", false, "a", true))
    }
}

@Suite struct GitRepositoryTests {
    @Test func errorsCarryLibgit2sCodeClassAndMessage() throws {
        let directory = TemporaryDirectory()
        do {
            _ = try GitRepository(openAt: directory.path + "/missing")
            Issue.record("expected an error")
        } catch {
            #expect(error.code == -3)  // GIT_ENOTFOUND
            #expect(error.klass != 0)
            #expect(!error.message.isEmpty)
            #expect(error.operation.contains("missing"))
        }
        let repo = try GitRepository.create(at: directory.path + "/r", branch: "refs/heads/main")
        #expect(try ReferenceFiles(gitDirectory: repo.gitDirectory).target(of: "refs/heads/main") == nil)
        #expect(throws: GitError.self) { _ = try repo.resolveCommit("HEAD") }
    }
}
