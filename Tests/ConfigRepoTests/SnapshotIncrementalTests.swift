import Testing
@testable import ConfigRepo

/// A snapshot kept up to date commit by commit must equal one read from scratch.
@Suite struct SnapshotIncrementalTests {
    @Test func incrementalSnapshotsMatchAFreshLoadAfterEveryKindOfEdit() throws {
        let sample = try SampleRepository()
        let repository = sample.repository
        let author = SampleRepository.alice

        var system = try sample.document(.system, "sys-l1-huddle")
        system["capacity"] = 9                                       // no reference changes
        try repository.apply([.save(system)], author: author)
        system = try sample.document(.system, "sys-l1-huddle")
        system.set("zones", strings: ["zone-harbourpoint", "zone-hp-tower", "zone-hp-l2"])  // references move
        system["name"] = "L1 Huddle (moved)"                         // a unique value changes
        system["map_id"] = nil
        try repository.apply([.save(system)], author: author)
        try repository.apply([.delete(ObjectRef(.module, "mod-l1-huddle-hvac"), version: nil)], author: author)

        // A file moved into its shard folder by hand: one object, same references.
        let head = try repository.headSnapshot()
        let lighting = try #require(head.document(.module, "mod-l1-huddle-lighting"))
        try repository.store.commit([
            FileChange(path: lighting.path, expected: .any, content: nil),
            FileChange(path: lighting.ref.shardedPath, expected: .absent, content: lighting.canonicalBytes),
        ], author: author, message: "shard one module")

        let incremental = try repository.headSnapshot()
        let commit = try #require(incremental.commit)
        let fresh = Snapshot(commit: commit, files: try repository.store.files(at: commit))
        for kind in Kind.allCases {
            #expect(incremental.all(kind).map(\.members) == fresh.all(kind).map(\.members), "\(kind)")
            #expect(incremental.all(kind).map(\.path) == fresh.all(kind).map(\.path), "\(kind)")
        }
        for document in fresh.allDocuments {
            #expect(incremental.references.referrers(of: document.ref) == fresh.references.referrers(of: document.ref), "\(document.ref)")
            for key in fresh.uniqueKeys(of: document) {
                #expect(incremental.claimants(of: key) == fresh.claimants(of: key))
            }
        }
        #expect(incremental.unreadable.isEmpty && fresh.unreadable.isEmpty)
        #expect(incremental.document(.module, "mod-l1-huddle-lighting")?.path == lighting.ref.shardedPath)
        #expect(Validator(snapshot: incremental).validateAll() == Validator(snapshot: fresh).validateAll())
    }
}
