import Foundation
import Testing
@testable import ConfigRepo

/// Branch moves by lock file and compare-and-swap, as the git CLI makes them.
@Suite struct ReferenceFilesTests {
    private func commit(_ batch: ObjectBatch, _ message: String, parents: [ObjectID] = []) throws -> ObjectID {
        let tree = try batch.applyEdits(to: nil, [])
        return batch.add(.commit, try GitCommit(tree: tree, parents: parents, author: .backoffice, committer: .backoffice,
                                                message: message).serialized())
    }

    @Test func compareAndSwapReportsAMovedOrLockedReference() throws {
        let directory = TemporaryDirectory()
        let repo = try GitRepository.create(at: directory.path, branch: "refs/heads/main")
        let batch = ObjectBatch(database: ObjectDatabase.of(gitDirectory: repo.gitDirectory, honouringGitEnvironment: false))
        let first = try commit(batch, "1")
        let second = try commit(batch, "2", parents: [first])
        try batch.flush(deflater: Deflater())
        let references = ReferenceFiles(gitDirectory: repo.gitDirectory)
        let ada = Signature(name: "Ada", email: "ada@example.com")
        #expect(try references.compareAndSwap("refs/heads/main", to: first, from: nil, committer: ada, logMessage: "1") == .updated)
        #expect(try references.compareAndSwap("refs/heads/main", to: second, from: nil, committer: ada, logMessage: "x") == .moved)
        #expect(try references.compareAndSwap("refs/heads/main", to: second, from: second, committer: ada, logMessage: "x") == .moved)
        #expect(try references.compareAndSwap("refs/heads/main", to: second, from: first, committer: ada, logMessage: "2") == .updated)
        // A held ref lock is reported, not waited for, and left alone.
        _ = FileManager.default.createFile(atPath: directory.path + "/.git/refs/heads/main.lock", contents: Data())
        #expect(try references.compareAndSwap("refs/heads/main", to: first, from: second, committer: ada, logMessage: "3") == .locked)
        #expect(FileManager.default.fileExists(atPath: directory.path + "/.git/refs/heads/main.lock"))
        unlink(directory.path + "/.git/refs/heads/main.lock")
        #expect(try references.target(of: "refs/heads/main") == second)
        // git reads the branch and its log as it writes them.
        #expect(try runGit(["rev-parse", "main"], in: directory.path).output == second.hex + "\n")
        let log = try runGit(["reflog", "show", "--format=%H %gs", "main"], in: directory.path).output
        #expect(log == "\(second.hex) 2\n\(first.hex) 1\n")
        #expect(try runGit(["fsck", "--strict"], in: directory.path).status == 0)
    }

    @Test func aBranchOnlyInPackedRefsIsReadAndMoved() throws {
        let directory = TemporaryDirectory()
        let repo = try GitRepository.create(at: directory.path, branch: "refs/heads/main")
        let batch = ObjectBatch(database: ObjectDatabase.of(gitDirectory: repo.gitDirectory, honouringGitEnvironment: false))
        let first = try commit(batch, "1")
        let second = try commit(batch, "2", parents: [first])
        try batch.flush(deflater: Deflater())
        let references = ReferenceFiles(gitDirectory: repo.gitDirectory)
        _ = try references.compareAndSwap("refs/heads/main", to: first, from: nil, committer: .backoffice, logMessage: "1")
        #expect(try runGit(["pack-refs", "--all"], in: directory.path).status == 0)
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/.git/refs/heads/main"))
        #expect(try references.target(of: "refs/heads/main") == first)
        #expect(try references.compareAndSwap("refs/heads/main", to: second, from: first, committer: .backoffice, logMessage: "2") == .updated)
        #expect(try runGit(["rev-parse", "main"], in: directory.path).output == second.hex + "\n")
    }
}
