import Foundation
import Testing
@testable import ConfigRepo

@Suite struct StoreHistoryTests {
    @Test func historyListsCommitsTouchingTheFileNewestFirst() throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        let created = try #require(store.head())
        let ada = Signature(name: "Ada", email: "ada@example.com", date: Date(timeIntervalSince1970: 1_700_000_000))
        let one = try store.commit([.put("systems/sys-a.json", Array(text: "1"))], author: ada, message: "systems: A one")
        _ = try store.commit([.put("systems/sys-b.json", Array(text: "b"))], author: ada, message: "systems: B")
        let two = try store.commit([.put("systems/sys-a.json", Array(text: "2")), .put("zones/zone-1.json", Array(text: "z"))],
                                   author: ada, message: "both")
        let gone = try store.commit([.delete("systems/sys-a.json")], author: .backoffice, message: "delete A")
        let history = try store.history(of: "systems/sys-a.json")
        #expect(history.map(\.id) == [gone.id, two.id, one.id, created])
        #expect(history[1].author == ada && history[1].message == "both" && history[1].parents.count == 1)
        #expect(try store.history(of: "systems/sys-a.json", limit: 2).map(\.id) == [gone.id, two.id])
        #expect(try store.history(of: "zones/zone-1.json").map(\.id) == [two.id, created])
        #expect(try store.history(of: "nothing/here.json").isEmpty)
    }

    @Test func revertMakesARealRevertCommit() throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        let change = try store.commit([.put("systems/sys-a.json", Array(text: "changed\n")), .delete("zones/zone-1.json")],
                                      author: .backoffice, message: "systems: change A\n\nbody")
        _ = try store.commit([.put("systems/sys-b.json", Array(text: "b2\n"))], author: .backoffice, message: "B")
        let reverter = Signature(name: "Rita", email: "rita@example.com")
        let revert = try store.revert(change.id, author: reverter)
        #expect(revert.message == "Revert \"systems: change A\"\n\nThis reverts commit \(change.id.hex).\n")
        #expect(revert.author.name == "Rita")
        #expect(try fixture.text("systems/sys-a.json") == "{\"name\": \"A\"}\n")
        #expect(try fixture.text("zones/zone-1.json") == "{\"name\": \"Z\"}\n")
        #expect(try fixture.text("systems/sys-b.json") == "b2\n")
        #expect(try fixture.status() == "")
        #expect(fixture.root.read("repo/zones/zone-1.json") == "{\"name\": \"Z\"}\n")
        #expect(try fixture.fsck().status == 0)
    }
}
