import Foundation
import Testing
@testable import ConfigRepo

/// The snapshot cache and the validation results kept in the cache directory: used when they
/// hold the head's tree (or an older one), refused when stale for the rules or corrupt, and
/// never a reason for a snapshot to differ from one read from git.
@Suite struct ColdStartCacheTests {
    /// A repository of the sample building with a cache directory.
    private struct Setup {
        let root = TemporaryDirectory()
        var path: String { root.path + "/repo" }
        var cache: String { root.path + "/cache" }

        init() throws {
            _ = try ConfigStore.create(at: root.path + "/repo", from: Checkout.sampleConfig, message: "Sample")
        }

        func open() throws -> ConfigRepository {
            ConfigRepository(store: try ConfigStore(path: path, cacheDirectory: cache), secretBox: nil)
        }

        /// The snapshot read from git alone, to compare with.
        func fromGit() throws -> Snapshot {
            try ConfigRepository(store: try ConfigStore(path: path), secretBox: nil).headSnapshot()
        }
    }

    private func same(_ lhs: Snapshot, _ rhs: Snapshot) -> Bool {
        lhs.commit == rhs.commit && lhs.allDocuments == rhs.allDocuments && lhs.deployment == rhs.deployment
            && lhs.maps == rhs.maps && lhs.unreadable == rhs.unreadable
    }

    @Test func aRestartReadsTheCacheAndAnOlderCachePlusWhatChanged() throws {
        let setup = try Setup()
        let first = try setup.open().headSnapshot()
        let cacheFile = setup.cache + "/" + SnapshotCache.fileName
        #expect(FileManager.default.fileExists(atPath: cacheFile))
        #expect(same(first, try setup.fromGit()))
        #expect(try SnapshotCache(directory: setup.cache).load()?.tree == setup.open().store.tree(of: try #require(first.commit)))

        // Restart: from the cache (the objects' files are not read from git).
        #expect(same(try setup.open().headSnapshot(), first))

        // Commits made elsewhere: an older cache plus what changed since, the same as git's.
        let writer = try setup.open()
        var system = try #require(first.all(.system).first)
        system["capacity"] = .int(99)
        try writer.apply([.save(system)], author: .backoffice)
        let zone = try #require(first.all(.zone).last)
        try writer.apply([.delete(zone.ref, version: zone.version)], author: .backoffice)
        let restarted = try setup.open().headSnapshot()
        #expect(restarted.document(system.ref)?.int("capacity") == 99)
        #expect(restarted.document(zone.ref) == nil)
        #expect(same(restarted, try setup.fromGit()))
    }

    @Test func aTornOrCorruptOrForeignCacheIsRefusedAndRebuilt() throws {
        let setup = try Setup()
        let expected = try setup.open().headSnapshot()
        let cacheFile = setup.cache + "/" + SnapshotCache.fileName
        let good = try #require(FileManager.default.contents(atPath: cacheFile))
        var damaged = [UInt8](good)
        damaged[damaged.count / 2] ^= 0x55
        for bad in [Data(good.prefix(good.count - 7)), Data(damaged), Data("BackOffice snapshot cache v0\n".utf8) + good.dropFirst(29)] {
            try bad.write(to: URL(fileURLWithPath: cacheFile))
            #expect(SnapshotCache(directory: setup.cache).load() == nil)
            try bad.write(to: URL(fileURLWithPath: cacheFile))
            #expect(same(try setup.open().headSnapshot(), expected))
            // The full load wrote a good cache again.
            #expect(FileManager.default.contents(atPath: cacheFile) == good)
        }
    }

    @Test func validationResultsAreKeptPerTreeAndPerBuild() throws {
        let setup = try Setup()
        let repository = try setup.open()
        let (snapshot, problems) = try repository.validatedHead()
        #expect(problems == Validator(snapshot: snapshot).validateAll())
        let tree = try repository.store.tree(of: try #require(snapshot.commit))
        let cache = ProblemCache(directory: setup.cache)
        #expect(cache.build != nil && cache.problems(for: tree) == problems)

        // What this build remembers for a tree is what a restart reports, without validating.
        let planted = [ValidationProblem(path: "systems/x.json", field: "name", message: "remembered")]
        cache.save(planted, for: tree)
        #expect(try setup.open().validatedHead().problems == planted)
        // Another build (new rules) does not trust it.
        #expect(ProblemCache(directory: setup.cache, build: "another build").problems(for: tree) == nil)
        // A new head is validated, not looked up.
        let writer = try setup.open()
        var system = try #require(snapshot.all(.system).first)
        system["name"] = .string("Renamed")
        try writer.apply([.save(system)], author: .backoffice)
        let (after, afterProblems) = try setup.open().validatedHead()
        #expect(afterProblems == Validator(snapshot: after).validateAll())
    }
}
