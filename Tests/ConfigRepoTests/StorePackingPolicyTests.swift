import Foundation
import Testing
@testable import ConfigRepo

/// Automatic packing waits for a quiet moment, unless loose objects pile up past the hard limit.
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

    @Test func aBurstOfWritesIsNotPackedUntilItEnds() throws {
        let (store, repo, root) = try Self.store(threshold: 50, quiet: 0.6)
        let packsBefore = Self.packCount(repo)
        let burstEnd = Date().addingTimeInterval(1.5)
        var index = 0
        while Date() < burstEnd {
            _ = try store.commit([.put("d/f\(index % 7).json", Array(text: "\(index)"))], author: .backoffice, message: "\(index)")
            index += 1
            Thread.sleep(forTimeInterval: 0.01)
        }
        #expect(store.looseObjectCount() > 50 && store.looseObjectCount() < store.packHardLimit)
        #expect(Self.packCount(repo) == packsBefore, "packed during the burst")
        let deadline = Date().addingTimeInterval(10)
        while store.looseObjectCount() > 50, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        #expect(store.looseObjectCount() <= 50)
        #expect(Self.packCount(repo) > packsBefore)
        _ = try store.packIfNeeded(looseThreshold: .max)   // waits for the running packer
        #expect(try runGit(["fsck", "--strict"], in: repo).status == 0)
        _ = root
    }

    @Test func pastTheHardLimitTheBurstIsPackedWhileItGoesOn() throws {
        let (store, repo, root) = try Self.store(threshold: 5, quiet: 60)
        #expect(store.packHardLimit == 500)
        let packsBefore = Self.packCount(repo)
        var index = 0
        while Self.packCount(repo) == packsBefore, index < 5_000 {
            _ = try store.commit([.put("d/f\(index % 7).json", Array(text: "\(index)"))], author: .backoffice, message: "\(index)")
            index += 1
        }
        #expect(Self.packCount(repo) > packsBefore, "never packed within \(index) commits")
        _ = try store.packIfNeeded(looseThreshold: .max)   // waits for the running packer
        let fsck = try runGit(["fsck", "--strict"], in: repo)
        #expect(fsck.status == 0, "\(fsck.output)")
        _ = root
    }
}
