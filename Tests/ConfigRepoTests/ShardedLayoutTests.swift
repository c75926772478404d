import Testing
@testable import ConfigRepo

/// Objects in shard folders (`modules/<xx>/<id>.json`): read from either place, written where
/// `layout.sharded` says, one file per object.
@Suite struct ShardedLayoutTests {
    @Test func shardFoldersAreClassifiedAndAWrongShardIsNamed() {
        let ref = ObjectRef(.module, "mod-projector")
        #expect(ref.shardedPath == "modules/\(ObjectShard.of("mod-projector"))/mod-projector.json")
        #expect(RepoPath(ref.shardedPath) == .object(ref))
        #expect(RepoPath("modules/mod-projector.json") == .object(ref))
        let wrong = ObjectShard.of("mod-projector") == "00" ? "01" : "00"
        guard case .invalid(let reason) = RepoPath("modules/\(wrong)/mod-projector.json") else {
            Issue.record("a wrong shard folder must be invalid")
            return
        }
        #expect(reason.contains(ref.shardedPath))
        #expect(ObjectShard.of("a") == ObjectShard.of("a") && ObjectShard.of("a").count == 2)
    }

    @Test func anObjectInTwoFilesIsAProblemNamingBoth() throws {
        let flat = RepoFile(path: "zones/zone-a.json", blob: SampleConfig.blob("a"), bytes: Array("{\"name\": \"A\"}\n".utf8))
        let sharded = RepoFile(path: ObjectRef(.zone, "zone-a").shardedPath, blob: SampleConfig.blob("b"), bytes: Array("{\"name\": \"B\"}\n".utf8))
        let snapshot = Snapshot(commit: nil, files: [flat, sharded])
        #expect(snapshot.document(.zone, "zone-a")?.string("name") == "A")
        let problems = Validator(snapshot: snapshot).validateAll()
        #expect(problems.contains { $0.path == sharded.path && $0.message.contains("also at zones/zone-a.json") })
    }

    @Test func deletingTheReadCopyOfADuplicateReadsTheOtherInTheCachedHead() throws {
        let sample = try SampleRepository()
        let store = sample.repository.store
        let zone = ObjectRef(.zone, "zone-hp-l1")
        let flat = try #require(try sample.repository.headSnapshot().document(zone)).path
        #expect(flat == zone.path)
        try store.commit([.put(zone.shardedPath, Array("{\"name\": \"Level 1 (sharded copy)\"}\n".utf8))],
                         author: SampleRepository.alice, message: "a second copy")
        let duplicated = try sample.repository.headSnapshot()
        #expect(duplicated.unreadable[zone.shardedPath]?.message.contains("also at \(flat)") == true)
        #expect(duplicated.duplicatePaths(of: zone) == [zone.shardedPath])

        try store.commit([.delete(flat)], author: SampleRepository.alice, message: "drop the flat copy")
        let head = try sample.repository.headSnapshot()
        #expect(head.unreadable.isEmpty)
        #expect(head.duplicatePaths(of: zone).isEmpty)
        #expect(head.document(zone)?.path == zone.shardedPath)
        #expect(head.document(zone)?.string("name") == "Level 1 (sharded copy)")
        let fresh = Snapshot(commit: head.commit, files: try store.files(at: #require(head.commit)))
        #expect(fresh.document(zone) == head.document(zone))
        #expect(fresh.references.referrers(of: zone) == head.references.referrers(of: zone))
    }

    @Test func deletingADuplicatedObjectDeletesEveryCopy() throws {
        let sample = try SampleRepository()
        let store = sample.repository.store
        let module = ObjectRef(.module, "mod-l1-huddle-hvac")
        try store.commit([.put(module.shardedPath, Array("{\"driver_id\": \"driver-modbus-hvac\"}\n".utf8))],
                         author: SampleRepository.alice, message: "a second copy")
        #expect(try sample.repository.headSnapshot().duplicatePaths(of: module) == [module.shardedPath])
        try sample.repository.apply([.delete(module, version: nil)], author: SampleRepository.alice)
        let head = try sample.repository.headSnapshot()
        #expect(head.document(module) == nil)
        #expect(head.unreadable.isEmpty)
        #expect(try store.file(at: #require(head.commit), path: module.shardedPath) == nil)
        #expect(try store.file(at: #require(head.commit), path: module.path) == nil)
    }

    @Test func revertingAMoveOutOfAShardKeepsTheObject() throws {
        let sample = try SampleRepository()
        let store = sample.repository.store
        let module = ObjectRef(.module, "mod-l1-huddle-hvac")
        let head = try #require(store.head())
        let bytes = try #require(try store.file(at: head, path: module.path)).bytes
        try store.commit([.delete(module.path), .put(module.shardedPath, bytes)], author: SampleRepository.alice, message: "into a shard")
        let back = try store.commit([.delete(module.shardedPath), .put(module.path, bytes)], author: SampleRepository.alice, message: "out again")
        try sample.repository.revert(back.id, author: SampleRepository.bob)
        #expect(try sample.repository.headSnapshot().document(module)?.path == module.shardedPath)
        #expect(try sample.repository.validate() == [])
    }

    @Test func newObjectsGoWhereTheLayoutSaysAndOldOnesStayPut() throws {
        let sample = try SampleRepository()
        let store = sample.repository.store
        var deployment = try #require(try sample.repository.headSnapshot().deployment)
        deployment.members["layout"] = ["sharded": ["modules"]]
        try store.commit([FileChange(path: "backoffice.json", expected: .any,
                                     content: JSONWriter.canonicalBytes(.object(deployment.members)))],
                         author: SampleRepository.alice, message: "shard modules")

        var module = ConfigDocument(ref: ObjectRef(.module, "mod-new-display"))
        module["driver_id"] = "driver-pjlink-projector"
        module["ip"] = "127.0.0.1"
        module["port"] = 14399
        try sample.repository.apply([.overwrite(module)], author: SampleRepository.alice)
        let head = try sample.repository.headSnapshot()
        let placed = try #require(head.document(.module, "mod-new-display"))
        #expect(placed.path == placed.ref.shardedPath)
        #expect(try store.file(at: #require(head.commit), path: placed.ref.shardedPath) != nil)

        // An existing flat module is edited where it is; history and diffs follow both.
        var old = try sample.document(.module, "mod-l1-huddle-hvac")
        old["port"] = 15099
        try sample.repository.apply([.save(old)], author: SampleRepository.bob)
        #expect(try sample.document(.module, "mod-l1-huddle-hvac").path == "modules/mod-l1-huddle-hvac.json")

        var moved = placed
        moved["port"] = 14400
        let result = try sample.repository.apply([.save(moved)], author: SampleRepository.bob)
        #expect(try sample.repository.history(of: placed.ref).count == 2)
        #expect(try sample.repository.changes(to: placed.ref, in: result.commit.id).map(\.path) == ["port"])
        #expect(try sample.repository.validate() == [])
    }

    @Test func aLayoutThatNamesNoDirectoryIsRefused() {
        let file = RepoFile(path: "backoffice.json", blob: SampleConfig.blob("c"), bytes: Array("{\"layout\": {\"sharded\": [\"rooms\", \"metadata\"], \"deep\": 1}}\n".utf8))
        let problems = Validator(snapshot: Snapshot(commit: nil, files: [file])).validateAll().map(\.field)
        #expect(problems == ["layout.deep", "layout.sharded[0]", "layout.sharded[1]"])
    }
}
