import Foundation
import Testing
@testable import ConfigRepo

@Suite struct StoreConcurrencyTests {
    @Test func eightWritersOnDifferentFilesAllLand() async throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        let start = try #require(store.head())
        let perWriter = 15
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<8 {
                group.addTask {
                    for round in 0..<perWriter {
                        _ = try store.commit([.put("systems/w\(writer).json", Array(text: "\(round)\n"))],
                                             author: Signature(name: "w\(writer)", email: "w@x"), message: "w\(writer) r\(round)")
                    }
                }
            }
            try await group.waitForAll()
        }
        let count = try runGit(["rev-list", "--count", "\(start.hex)..main"], in: fixture.path).output
        #expect(count == "\(8 * perWriter)\n")
        for writer in 0..<8 {
            #expect(try fixture.text("systems/w\(writer).json") == "\(perWriter - 1)\n")
        }
        #expect(try fixture.status() == "")
        #expect(try fixture.fsck().status == 0)
    }

    @Test func aBackgroundWorkingTreeCatchesUpAfterABurst() async throws {
        let fixture = try StoreFixture()
        let store = try ConfigStore(path: fixture.path, workingTreeUpdate: .background)
        fixture.root.write("repo/zones/zone-1.json", "engineer's draft\n")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<4 {
                group.addTask {
                    for round in 0..<10 {
                        _ = try store.commit([.put("systems/w\(writer).json", Array(text: "\(round)\n"))],
                                             author: .backoffice, message: "w\(writer) r\(round)")
                    }
                }
            }
            try await group.waitForAll()
        }
        store.waitForWorkingTree()
        #expect(try fixture.status() == " M zones/zone-1.json\n")
        #expect(fixture.root.read("repo/systems/w3.json") == "9\n")
        #expect(fixture.root.read("repo/zones/zone-1.json") == "engineer's draft\n")
        #expect(store.lastWorkingTreeError == nil)
    }

    @Test func twoStoresInTheSameRepoRetryTheirCompareAndSwap() async throws {
        // Two store instances (separate repository handles and locks) race on the ref.
        let fixture = try StoreFixture()
        let other = try ConfigStore(path: fixture.path)
        let stores = [fixture.store, other]
        let start = try #require(fixture.store.head())
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, store) in stores.enumerated() {
                group.addTask {
                    for round in 0..<40 {
                        _ = try store.commit([.put("zones/s\(index).json", Array(text: "\(round)"))],
                                             author: .backoffice, message: "s\(index) r\(round)")
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try runGit(["rev-list", "--count", "\(start.hex)..main"], in: fixture.path).output == "80\n")
        other.waitForPacker()
        let fsck = try fixture.fsck()
        #expect(fsck.status == 0, "\(fsck.output)")
    }

    @Test func twoWritersOnTheSameVersionGiveExactlyOneConflict() async throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        let head = try #require(store.head())
        let base = try #require(try store.file(at: head, path: "systems/sys-a.json")).blob
        let outcomes = Collector<String>()
        await withTaskGroup(of: Void.self) { group in
            for writer in 0..<2 {
                group.addTask {
                    do {
                        _ = try store.commit([.put("systems/sys-a.json", Array(text: "writer \(writer)"), expected: .version(base))],
                                             author: .backoffice, message: "w\(writer)")
                        outcomes.append("landed")
                    } catch {
                        if let error = error as? StoreError, case .conflict = error { outcomes.append("conflict") }
                    }
                }
            }
        }
        #expect(outcomes.all.sorted() == ["conflict", "landed"])
    }

    @Test func writersThePackerAndAnotherStoreMergingKeepEveryPackValid() async throws {
        let fixture = try StoreFixture()
        // Merges in the background every other commit.
        let store = try ConfigStore(path: fixture.path, packCheckInterval: 2)
        // Another store of the same repository (as another process would be) merges everything.
        let other = try ConfigStore(path: fixture.path, packCheckInterval: 0)
        let start = try #require(store.head())
        let writers = 4, rounds = 40
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<writers {
                group.addTask {
                    for round in 0..<rounds {
                        _ = try store.commit([.put("systems/w\(writer)/f\(round % 3).json", Array(text: "{\"v\": \(round)}\n"))],
                                             author: .backoffice, message: "w\(writer) r\(round)")
                    }
                }
            }
            group.addTask {
                for _ in 0..<10 {
                    _ = try other.packAll()
                    try await Task.sleep(for: .milliseconds(20))
                }
            }
            try await group.waitForAll()
        }
        _ = try store.packIfNeeded(looseThreshold: .max)  // waits for a background run
        #expect(try runGit(["rev-list", "--count", "\(start.hex)..main"], in: fixture.path).output == "\(writers * rounds)\n")
        #expect(try fixture.deepCheck() == [])
        for writer in 0..<writers {
            #expect(try fixture.text("systems/w\(writer)/f0.json") == "{\"v\": 39}\n")
            #expect(try other.history(of: "systems/w\(writer)/f1.json").count == rounds / 3)
        }
        // The git CLI clones and reads it all.
        let clone = TemporaryDirectory()
        #expect(try runGit(["clone", "-q", fixture.path, clone.path + "/c"], in: clone.path).status == 0)
        #expect(try runGit(["log", "--oneline"], in: clone.path + "/c").output.split(separator: "\n").count == writers * rounds + 1)
        #expect(try runGit(["fsck", "--full", "--strict"], in: clone.path + "/c").status == 0)
    }
}
