import Foundation
import Testing
@testable import ConfigRepo

@Suite struct FileTimelineTests {
    private func at(_ seconds: Int) -> Signature {
        Signature(name: "Ada", email: "ada@example.com", date: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }

    @Test func createdUpdatedAndCountFollowTheCommitsThatChangedEachFile() throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        let timeline = FileTimeline(store: store)
        try timeline.catchUp(to: store.head())
        let initial = try #require(timeline.entry("systems/sys-a.json"))
        #expect(initial.changes == 1 && initial.created == initial.updated)
        #expect(timeline.entry("zones/zone-1.json")?.changes == 1)

        _ = try store.commit([.put("systems/sys-a.json", Array(text: "1"))], author: at(1_700_000_100), message: "A one")
        _ = try store.commit([.put("systems/sys-c.json", Array(text: "c"))], author: at(1_700_000_200), message: "C")
        _ = try store.commit([.put("systems/sys-a.json", Array(text: "2"))], author: at(1_700_000_300), message: "A two")
        try timeline.catchUp(to: store.head())
        #expect(timeline.head == store.head())
        #expect(timeline.entry("systems/sys-a.json") == .init(created: initial.created, updated: 1_700_000_300, changes: 3))
        #expect(timeline.entry("systems/sys-c.json") == .init(created: 1_700_000_200, updated: 1_700_000_200, changes: 1))
        #expect(timeline.entry("systems/sys-b.json") == initial)
        #expect(timeline.entry("systems/none.json") == nil)
    }

    @Test func commitsMadeOutsideTheStoreAndRewrittenHistoryAreCounted() throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        let timeline = FileTimeline(store: store)
        try timeline.catchUp(to: store.head())
        let base = try #require(store.head())
        // A commit by the git CLI: the store's index has never seen it.
        fixture.root.write("repo/systems/sys-b.json", "{\"name\": \"B2\"}\n")
        #expect(try runGit(["-c", "user.name=Eng", "-c", "user.email=eng@example.com", "commit", "-qam", "B by hand"], in: fixture.path).status == 0)
        let other = try ConfigStore(path: fixture.path)
        try timeline.catchUp(to: other.head())
        #expect(timeline.entry("systems/sys-b.json")?.changes == 2)
        // The branch is reset behind the timeline's head and moves on elsewhere: rebuilt.
        #expect(try runGit(["reset", "-q", "--hard", base.hex], in: fixture.path).status == 0)
        fixture.root.write("repo/zones/zone-1.json", "{\"name\": \"Z2\"}\n")
        #expect(try runGit(["-c", "user.name=Eng", "-c", "user.email=eng@example.com", "commit", "-qam", "Z"], in: fixture.path).status == 0)
        try timeline.catchUp(to: try ConfigStore(path: fixture.path).head())
        #expect(timeline.entry("systems/sys-b.json")?.changes == 1)
        #expect(timeline.entry("zones/zone-1.json")?.changes == 2)
    }
}
