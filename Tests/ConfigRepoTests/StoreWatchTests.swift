import Foundation
import Testing
@testable import ConfigRepo

/// One watcher event.
struct WatchEvent: Sendable, Equatable {
    var old: ObjectID?
    var new: ObjectID
    var paths: [String]
}

@Suite struct StoreWatchTests {
    @Test func theWatcherSeesOurCommitsACLICommitAndAPushFromAClone() throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        let events = Collector<WatchEvent>()
        let token = store.watch(interval: .milliseconds(50)) { old, new, paths in
            events.append(WatchEvent(old: old, new: new, paths: paths))
        }
        defer { token.cancel() }
        let start = try #require(store.head())

        // 1. Our own commit.
        let ours = try store.commit([.put("systems/sys-a.json", Array(text: "ours\n"))], author: .backoffice, message: "ours")
        #expect(events.wait(seconds: 10) { $0.last?.new == ours.id })
        #expect(events.all.last == WatchEvent(old: start, new: ours.id, paths: ["systems/sys-a.json"]))

        // 2. An engineer commits with the git CLI in the working tree.
        fixture.root.write("repo/zones/zone-2.json", "{}\n")
        #expect(try runGit(["add", "zones/zone-2.json"], in: fixture.path).status == 0)
        #expect(try runGit(["commit", "-q", "-m", "engineer: zone 2"], in: fixture.path).status == 0)
        let cliHead = try store.resolve("HEAD")
        #expect(events.wait(seconds: 10) { $0.last?.new == cliHead })
        #expect(events.all.last == WatchEvent(old: ours.id, new: cliHead, paths: ["zones/zone-2.json"]))

        // 3. A push from a clone (updateInstead updates the working tree too).
        let cloneDirectory = fixture.root.path + "/clone"
        #expect(try runGit(["clone", "-q", fixture.path, cloneDirectory], in: fixture.root.path).status == 0)
        fixture.root.write("clone/systems/sys-b.json", "pushed\n")
        #expect(try runGit(["commit", "-q", "-am", "pushed B"], in: cloneDirectory).status == 0)
        let push = try runGit(["push", "-q", "origin", "main"], in: cloneDirectory)
        #expect(push.status == 0, "\(push.output)")
        let pushed = try store.resolve("main")
        #expect(pushed != cliHead)
        #expect(events.wait(seconds: 10) { $0.last?.new == pushed })
        #expect(events.all.last?.paths == ["systems/sys-b.json"])
        #expect(fixture.root.read("repo/systems/sys-b.json") == "pushed\n")
        #expect(try fixture.status() == "")

        // Events chain without gaps: each one starts where the previous ended.
        let all = events.all
        for (previous, next) in zip(all, all.dropFirst()) { #expect(next.old == previous.new) }

        // After cancel, no more events.
        token.cancel()
        Thread.sleep(forTimeInterval: 0.1)
        let count = events.all.count
        _ = try store.commit([.put("late.json", [1])], author: .backoffice, message: "late")
        Thread.sleep(forTimeInterval: 0.2)
        #expect(events.all.count == count)
    }

    @Test func aBurstOfCommitsIsCoalescedWithoutLosingPaths() throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        let events = Collector<WatchEvent>()
        let start = try #require(store.head())
        let token = store.watch(interval: .milliseconds(100)) { old, new, paths in
            events.append(WatchEvent(old: old, new: new, paths: paths))
        }
        defer { token.cancel() }
        var last = start
        for index in 0..<20 {
            last = try store.commit([.put("burst/f\(index).json", [UInt8(index)])], author: .backoffice, message: "\(index)").id
        }
        #expect(events.wait(seconds: 10) { $0.last?.new == last })
        let all = events.all
        #expect(all.first?.old == start)
        for (previous, next) in zip(all, all.dropFirst()) { #expect(next.old == previous.new) }
        #expect(Set(all.flatMap(\.paths)) == Set((0..<20).map { "burst/f\($0).json" }))
    }
}
