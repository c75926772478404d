import Foundation
import Testing
@testable import ConfigRepo

/// Reverts that put the parent's files back directly, and those that must merge.
@Suite struct StoreRevertFastPathTests {
    /// Whether reverting `commit` onto the head can skip the merge.
    private func restores(_ store: ConfigStore, _ commit: ObjectID) throws -> Bool {
        let headTree = try store.tree(of: try #require(store.head()))
        return try ObjectBatch(database: store.objects).revertTreeByRestoring(commit, onto: headTree) != nil
    }

    @Test func anUntouchedCommitIsRevertedByRestoringItsParentsFiles() throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        let change = try store.commit([.put("systems/sys-a.json", Array(text: "changed\n")), .delete("zones/zone-1.json"),
                                       .put("zones/deep/zone-2.json", Array(text: "new\n"))],
                                      author: .backoffice, message: "systems: change A")
        _ = try store.commit([.put("systems/sys-b.json", Array(text: "b2\n"))], author: .backoffice, message: "B")
        #expect(try restores(store, change.id))
        let revert = try store.revert(change.id, author: Signature(name: "Rita", email: "rita@example.com"))
        #expect(revert.message == "Revert \"systems: change A\"\n\nThis reverts commit \(change.id.hex).\n")
        #expect(revert.author.name == "Rita" && revert.parents.count == 1)
        #expect(try fixture.text("systems/sys-a.json") == "{\"name\": \"A\"}\n")
        #expect(try fixture.text("zones/zone-1.json") == "{\"name\": \"Z\"}\n")
        #expect(try fixture.text("zones/deep/zone-2.json") == nil)
        #expect(try fixture.text("systems/sys-b.json") == "b2\n")
        #expect(try store.changes(from: change.id, to: revert.id).sorted()
            == ["systems/sys-a.json", "systems/sys-b.json", "zones/deep/zone-2.json", "zones/zone-1.json"])
        // The same tree as git's own revert of the same commit onto the same head.
        let headBefore = try #require(revert.parents.first)
        let merged = try GitRepository(openAt: fixture.path).revertByMerging(change.id, onto: headBefore, mainline: 0,
                                                                             database: store.objects)
        guard case .tree(let gitTree, _) = merged else {
            Issue.record("git's revert conflicts")
            return
        }
        let ourTree = try store.tree(of: revert.id)
        #expect(ourTree == gitTree)
        #expect(try fixture.status() == "")
        #expect(try fixture.fsck().status == 0)
    }

    @Test func aCommitWhosePathsChangedSinceIsMergedInstead() throws {
        let lines = (1...12).map { "line \($0)" }
        let fixture = try StoreFixture(files: ["systems/sys-a.json": lines.joined(separator: "\n") + "\n", "backoffice.json": "{}\n"])
        let store = fixture.store
        var first = lines
        first[0] = "first changed"
        let change = try store.commit([.put("systems/sys-a.json", Array(text: first.joined(separator: "\n") + "\n"))],
                                      author: .backoffice, message: "one")
        var later = first
        later[11] = "last changed"
        _ = try store.commit([.put("systems/sys-a.json", Array(text: later.joined(separator: "\n") + "\n"))],
                             author: .backoffice, message: "two")
        #expect(try !restores(store, change.id))
        _ = try store.revert(change.id, author: .backoffice)
        var expected = lines
        expected[11] = "last changed"
        #expect(try fixture.text("systems/sys-a.json") == expected.joined(separator: "\n") + "\n")
        #expect(try fixture.status() == "")
    }

    @Test func aPathChangedAndChangedBackStillRestores() throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        let change = try store.commit([.put("systems/sys-a.json", Array(text: "x\n"))], author: .backoffice, message: "x")
        _ = try store.commit([.put("systems/sys-a.json", Array(text: "y\n"))], author: .backoffice, message: "y")
        #expect(try !restores(store, change.id))
        _ = try store.commit([.put("systems/sys-a.json", Array(text: "x\n"))], author: .backoffice, message: "x again")
        #expect(try restores(store, change.id))
        _ = try store.revert(change.id, author: .backoffice)
        #expect(try fixture.text("systems/sys-a.json") == "{\"name\": \"A\"}\n")
    }

    @Test func aConflictingRevertAfterTheFastPathDeclinedWritesNothing() throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        let change = try store.commit([.put("systems/sys-a.json", Array(text: "one\n")), .put("zones/zone-1.json", Array(text: "z\n"))],
                                      author: .backoffice, message: "one")
        let later = try store.commit([.put("systems/sys-a.json", Array(text: "two\n"))], author: .backoffice, message: "two")
        #expect(try !restores(store, change.id))
        let packs = StorePackingTests.packNames(fixture.path)
        do {
            _ = try store.revert(change.id, author: .backoffice)
            Issue.record("expected a revert conflict")
        } catch {
            guard case let .revertConflict(paths) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(paths == ["systems/sys-a.json"])
        }
        #expect(store.head() == later.id)
        #expect(StorePackingTests.packNames(fixture.path) == packs && store.looseObjectCount() == 0)
        #expect(try fixture.text("zones/zone-1.json") == "z\n")
        #expect(try fixture.status() == "")
    }
}
