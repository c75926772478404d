import ConfigRepo
import Foundation
import Testing
@testable import Runtime

/// The runtime follows the branch forwards only: a snapshot the branch has moved past (a
/// watcher event overtaken by a REST start/stop commit, or the other way round) is skipped.
@Suite struct RuntimeHeadTests {
    @Test func aSnapshotTheBranchHasMovedPastIsNotApplied() async throws {
        let path = NSTemporaryDirectory() + "runtime-head-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let store = try ConfigStore.create(at: path, from: nil, message: "empty")
        let repository = ConfigRepository(store: store, secretBox: SampleSecrets.box)
        let engine = RuntimeEngine(configuration: RuntimeConfiguration(), repository: repository, secretBox: SampleSecrets.box)
        let older = try repository.headSnapshot()
        let zone = ConfigDocument(ref: ObjectRef(.zone, "zone-a"), members: ["name": "Zone A"])
        let newer = try repository.apply([.save(zone)], author: .backoffice, message: "a zone").snapshot

        engine.receive(newer)
        #expect(engine.appliedCommit == newer.commit)
        engine.receive(older)   // read before the zone's commit, delivered after it
        #expect(engine.appliedCommit == newer.commit)
        #expect(engine.snapshot?.document(.zone, "zone-a") != nil)
        await engine.shutdown()
    }
}
