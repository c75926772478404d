import Foundation
import Testing
@testable import ConfigRepo

@Suite struct StoreTests {
    @Test func createCommitsTheSourceTreeAndLeavesACleanWorkingTree() throws {
        let fixture = try StoreFixture()
        fixture.source.write(".hidden/x.json", "{}")
        let head = try #require(fixture.store.head())
        let files = try fixture.store.files(at: head)
        #expect(files.map(\.path).sorted() == ["backoffice.json", "systems/sys-a.json", "systems/sys-b.json", "zones/zone-1.json"])
        #expect(try fixture.text("systems/sys-a.json") == "{\"name\": \"A\"}\n")
        let info = try fixture.store.commitInfo(head)
        #expect(info.author.name == "BackOffice" && info.author.email == "backoffice@localhost")
        #expect(info.message == "Initial configuration" && info.parents.isEmpty)
        #expect(try fixture.status() == "")
        #expect(try runGit(["config", "receive.denyCurrentBranch"], in: fixture.path).output == "updateInstead\n")
        #expect(try runGit(["symbolic-ref", "HEAD"], in: fixture.path).output == "refs/heads/main\n")
        #expect(fixture.root.read("repo/zones/zone-1.json") == "{\"name\": \"Z\"}\n")
        #expect(try fixture.fsck().status == 0)
    }

    @Test func createSkipsDotfilesAppliesTheTransformAndRefusesANonEmptyTarget() throws {
        let source = TemporaryDirectory(), root = TemporaryDirectory()
        source.write("a/b.json", "plain")
        source.write(".git-like/c", "x")
        source.write("a/.d", "x")
        let store = try ConfigStore.create(at: root.path + "/r", from: source.path, message: "init") { path, bytes in
            path == "a/b.json" ? Array("sealed".utf8) : bytes
        }
        let files = try store.files(at: #require(store.head()))
        #expect(files.map(\.path) == ["a/b.json"])
        #expect(files.first?.bytes == Array("sealed".utf8))
        #expect(try runGit(["status", "--porcelain"], in: root.path + "/r").output == "")
        #expect(throws: StoreError.self) {
            _ = try ConfigStore.create(at: root.path + "/r", from: source.path, message: "again")
        }
    }

    @Test func commitPutsAndDeletesInOneCommitAndTheWorkingTreeFollows() throws {
        let fixture = try StoreFixture()
        let before = try #require(fixture.store.head())
        let author = Signature(name: "Ada", email: "ada@example.com")
        let info = try fixture.store.commit([
            .put("systems/sys-a.json", Array(text: "{\"name\": \"A2\"}\n")),
            .put("modules/deep/mod-1.json", Array(text: "{}\n"), expected: .absent),
            .delete("systems/sys-b.json"),
            .delete("zones/zone-1.json"),
        ], author: author, message: "systems: rename A")
        #expect(!info.isUnchangedHead)
        #expect(info.parents == [before])
        #expect(fixture.store.head() == info.id)
        #expect(try fixture.text("systems/sys-a.json") == "{\"name\": \"A2\"}\n")
        #expect(try fixture.text("systems/sys-b.json") == nil)
        #expect(try fixture.store.changes(from: before, to: info.id)
            == ["modules/deep/mod-1.json", "systems/sys-a.json", "systems/sys-b.json", "zones/zone-1.json"])
        #expect(try fixture.status() == "")
        #expect(fixture.root.read("repo/systems/sys-a.json") == "{\"name\": \"A2\"}\n")
        #expect(fixture.root.read("repo/modules/deep/mod-1.json") == "{}\n")
        #expect(!FileManager.default.fileExists(atPath: fixture.path + "/zones"))
        let log = try runGit(["log", "-1", "--format=%an <%ae>|%cn|%s"], in: fixture.path).output
        #expect(log == "Ada <ada@example.com>|Ada|systems: rename A\n")
        #expect(try fixture.fsck().status == 0)
        #expect(fixture.store.lastWorkingTreeError == nil)
    }

    @Test func aStaleVersionIsAConflictCarryingTheCurrentVersionAndWritesNothing() throws {
        let fixture = try StoreFixture()
        let first = try #require(fixture.store.head())
        let original = try #require(try fixture.store.file(at: first, path: "systems/sys-a.json"))
        let edited = try fixture.store.commit([.put("systems/sys-a.json", Array(text: "v2"), expected: .version(original.blob))],
                                              author: .backoffice, message: "edit")
        let current = try #require(try fixture.store.file(at: edited.id, path: "systems/sys-a.json"))
        do {
            _ = try fixture.store.commit([
                .put("systems/sys-b.json", Array(text: "other")),
                .put("systems/sys-a.json", Array(text: "v3"), expected: .version(original.blob)),
            ], author: .backoffice, message: "stale")
            Issue.record("expected a conflict")
        } catch {
            guard case let .conflict(path, expected, currentVersion) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(path == "systems/sys-a.json")
            #expect(expected == .version(original.blob))
            #expect(currentVersion == current.blob)
        }
        #expect(fixture.store.head() == edited.id)
        #expect(try fixture.text("systems/sys-b.json") == "{\"name\": \"B\"}\n")
    }

    @Test func creatingAnExistingFileWithAbsentConflictsAndVersionOfAMissingFileToo() throws {
        let fixture = try StoreFixture()
        let head = fixture.store.head()
        #expect {
            _ = try fixture.store.commit([.put("systems/sys-a.json", Array(text: "x"), expected: .absent)],
                                         author: .backoffice, message: "create")
        } throws: { error in
            guard case let StoreError.conflict(path, _, current) = error else { return false }
            return path == "systems/sys-a.json" && current != nil
        }
        #expect {
            _ = try fixture.store.commit([.delete("systems/sys-x.json", expected: .version(ObjectID(hex: String(repeating: "a", count: 40))!))],
                                         author: .backoffice, message: "delete")
        } throws: { error in
            guard case let StoreError.conflict(_, _, current) = error else { return false }
            return current == nil
        }
        #expect(fixture.store.head() == head)
    }

    @Test func aChangeSetThatChangesNothingMakesNoCommit() throws {
        let fixture = try StoreFixture()
        let head = try #require(fixture.store.head())
        let same = try fixture.store.commit([.put("systems/sys-a.json", Array(text: "{\"name\": \"A\"}\n")),
                                             .delete("systems/missing.json")], author: .backoffice, message: "noop")
        #expect(same.isUnchangedHead && same.id == head)
        #expect(fixture.store.head() == head)
    }

    @Test func badPathsAreRefused() throws {
        let fixture = try StoreFixture()
        for path in ["", "/abs", "a//b", "a/../b", "./a", ".git/config", "a/", "systems", "backoffice.json/x"] {
            #expect(throws: StoreError.self, "\(path)") {
                _ = try fixture.store.commit([.put(path, [1])], author: .backoffice, message: "bad")
            }
        }
        #expect(throws: StoreError.self) {
            _ = try fixture.store.commit([.put("x/y", [1]), .put("x", [2])], author: .backoffice, message: "nested")
        }
    }

    @Test func resolveAcceptsRevspecs() throws {
        let fixture = try StoreFixture()
        let first = try #require(fixture.store.head())
        let second = try fixture.store.commit([.put("a.json", [1])], author: .backoffice, message: "a").id
        #expect(try fixture.store.resolve("HEAD") == second)
        #expect(try fixture.store.resolve("HEAD~1") == first)
        #expect(try fixture.store.resolve("main") == second)
        #expect(try fixture.store.resolve(String(first.hex.prefix(12))) == first)
        #expect(throws: StoreError.self) { _ = try fixture.store.resolve("nope") }
        #expect(try fixture.store.blob(fixture.store.file(at: second, path: "a.json")!.blob) == [1])
    }

    @Test func uncommittedEditsToOtherFilesAreNeverClobbered() throws {
        let fixture = try StoreFixture()
        fixture.root.write("repo/systems/sys-b.json", "engineer's draft\n")
        _ = try fixture.store.commit([.put("systems/sys-a.json", Array(text: "new\n"))], author: .backoffice, message: "a")
        #expect(fixture.root.read("repo/systems/sys-b.json") == "engineer's draft\n")
        #expect(fixture.root.read("repo/systems/sys-a.json") == "new\n")
        // A commit to the edited file itself lands in git but leaves the draft on disk.
        _ = try fixture.store.commit([.put("systems/sys-b.json", Array(text: "server\n"))], author: .backoffice, message: "b")
        #expect(fixture.root.read("repo/systems/sys-b.json") == "engineer's draft\n")
        #expect(try fixture.text("systems/sys-b.json") == "server\n")
    }

    @Test func aHeldIndexLockDelaysTheWorkingTreeButNeverTheCommit() throws {
        let fixture = try StoreFixture()
        let lockPath = fixture.path + "/.git/index.lock"
        _ = FileManager.default.createFile(atPath: lockPath, contents: Data())
        let info = try fixture.store.commit([.put("systems/sys-a.json", Array(text: "while locked\n"))],
                                            author: .backoffice, message: "locked")
        #expect(fixture.store.head() == info.id)
        #expect(fixture.store.lastWorkingTreeError != nil)
        try FileManager.default.removeItem(atPath: lockPath)
        let deadline = Date().addingTimeInterval(3)
        while fixture.store.lastWorkingTreeError != nil, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        #expect(fixture.store.lastWorkingTreeError == nil)
        #expect(fixture.root.read("repo/systems/sys-a.json") == "while locked\n")
        #expect(try fixture.status() == "")
    }

    @Test func aStaleBranchLockLeftByADeadWriterIsRemovedAFreshOneIsRespected() throws {
        let fixture = try StoreFixture()
        let lockPath = fixture.path + "/.git/refs/heads/main.lock"
        _ = FileManager.default.createFile(atPath: lockPath, contents: Data())
        // A fresh lock is waited for, not removed: the write lands once its holder lets go.
        let before = fixture.store.head()
        let store = fixture.store
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            _ = try? store.commit([.put("fresh.json", [1])], author: .backoffice, message: "after a fresh lock")
            done.signal()
        }
        Thread.sleep(forTimeInterval: 1)
        #expect(fixture.store.head() == before)
        #expect(FileManager.default.fileExists(atPath: lockPath))
        try FileManager.default.removeItem(atPath: lockPath)
        #expect(done.wait(timeout: .now() + 10) == .success)
        #expect(fixture.store.head() != before)

        _ = FileManager.default.createFile(atPath: lockPath, contents: Data())
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-60)], ofItemAtPath: lockPath)
        let info = try fixture.store.commit([.put("a.json", [1])], author: .backoffice, message: "stale lock")
        #expect(fixture.store.head() == info.id)
        #expect(!FileManager.default.fileExists(atPath: lockPath))
    }
}
