import Foundation
import Testing
@testable import ConfigRepo

/// Automatic packing waits for a quiet moment, unless loose objects pile up past the hard limit.
/// The tests wait with `Task.sleep`, so they do not hold a thread of the (two-core) test pool.
@Suite struct StorePackingPolicyTests {
    static func packCount(_ repo: String) -> Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: repo + "/.git/objects/pack")) ?? []
        return names.filter { $0.hasSuffix(".pack") }.count
    }

    static func store(threshold: Int, quiet: Double) throws -> (ConfigStore, String, TemporaryDirectory) {
        let source = TemporaryDirectory(), root = TemporaryDirectory()
        source.write("a.json", "{}")
        _ = try ConfigStore.create(at: root.path + "/r", from: source.path, message: "init")
        let store = try ConfigStore(path: root.path + "/r", packCheckInterval: 10, packThreshold: threshold, packQuietPeriod: quiet)
        return (store, root.path + "/r", root)
    }

    @Test func aBurstOfWritesIsNotPackedUntilItEnds() async throws {
        // 60 commits (about 240 objects, over the threshold of 50) well within one quiet period.
        let (store, repo, root) = try Self.store(threshold: 50, quiet: 4)
        let packsBefore = Self.packCount(repo)
        for index in 0..<60 {
            _ = try store.commit([.put("d/f\(index % 7).json", Array(text: "\(index)"))], author: .backoffice, message: "\(index)")
        }
        #expect(store.looseObjectCount() > 50 && store.looseObjectCount() < store.packHardLimit)
        #expect(Self.packCount(repo) == packsBefore, "packed during the burst")
        let deadline = Date().addingTimeInterval(30)
        while store.looseObjectCount() > 50, Date() < deadline { try await Task.sleep(for: .milliseconds(100)) }
        #expect(store.looseObjectCount() <= 50)
        #expect(Self.packCount(repo) > packsBefore)
        _ = try store.packIfNeeded(looseThreshold: .max)   // waits for the running packer
        #expect(try runGit(["fsck", "--strict"], in: repo).status == 0)
        _ = root
    }

    @Test func pastTheHardLimitTheBurstIsPackedWhileItGoesOn() async throws {
        let (store, repo, root) = try Self.store(threshold: 2, quiet: 60)
        #expect(store.packHardLimit == 200)
        let packsBefore = Self.packCount(repo)
        var index = 0
        while Self.packCount(repo) == packsBefore, index < 2_000 {
            _ = try store.commit([.put("d/f\(index % 7).json", Array(text: "\(index)"))], author: .backoffice, message: "\(index)")
            index += 1
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(Self.packCount(repo) > packsBefore, "never packed within \(index) commits")
        _ = try store.packIfNeeded(looseThreshold: .max)   // waits for the running packer
        let fsck = try runGit(["fsck", "--strict"], in: repo)
        #expect(fsck.status == 0, "\(fsck.output)")
        _ = root
    }
}
