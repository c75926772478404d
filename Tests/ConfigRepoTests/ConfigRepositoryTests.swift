import Foundation
import Synchronization
import Testing
@testable import ConfigRepo

extension SampleRepository {
    func document(_ kind: Kind, _ id: String) throws -> ConfigDocument {
        try #require(try repository.headSnapshot().document(kind, id))
    }
}

@Suite struct ConfigRepositoryTests {
    @Test func initialRepositoryIsValidAndItsSecretsAreSealed() throws {
        let sample = try SampleRepository()
        #expect(try sample.repository.validate() == [])
        let driver = try sample.document(.driver, "driver-pjlink-projector")
        let password = driver["settings"]?["admin"]?["password"]?.stringValue ?? ""
        #expect(password.hasPrefix("enc:v1:"))
    }

    @Test func everySampleFileRoundTripsByteForByte() throws {
        for file in Array(SampleConfig.files().values) where file.path.hasSuffix(".json") {
            guard case .object(let ref) = RepoPath(file.path) else { continue }
            let document = try ConfigDocument.decode(file.bytes, ref: ref, version: nil)
            #expect(document.canonicalBytes == file.bytes, "\(file.path) is not canonical")
        }
    }

    @Test func anEditIsOneCommitWithAuthorAndAMessageInWords() throws {
        let sample = try SampleRepository()
        var system = try sample.document(.system, "sys-l3-boardroom")
        system["capacity"] = 18
        system["x_engineer_note"] = "kept"
        let result = try sample.repository.apply([.save(system)], author: SampleRepository.alice)
        #expect(result.commit.subject == "systems: edit \"L3 Boardroom\" (capacity, x_engineer_note)")
        #expect(result.commit.author.email == "alice@harbourpoint.example")
        let saved = try sample.document(.system, "sys-l3-boardroom")
        #expect(saved.int("capacity") == 18)
        #expect(saved.string("x_engineer_note") == "kept")

        system = saved
        system["capacity"] = 20
        let second = try sample.repository.apply([.save(system)], author: SampleRepository.bob)
        #expect(second.commit.subject == "systems: capacity of \"L3 Boardroom\" 18 → 20")
        let log = try runGit(["log", "-1", "--format=%an <%ae>|%s"], in: sample.path).output
        #expect(log.trimmingCharacters(in: .whitespacesAndNewlines) == "Bob Support <bob@harbourpoint.example>|systems: capacity of \"L3 Boardroom\" 18 → 20")
        #expect(try runGit(["status", "--porcelain"], in: sample.path).output.isEmpty)
        #expect(try runGit(["fsck", "--strict"], in: sample.path).status == 0)
    }

    @Test func aFormEditChangesOnlyItsLines() throws {
        let sample = try SampleRepository()
        var system = try sample.document(.system, "sys-l2-ferry")
        system["capacity"] = 9
        try sample.repository.apply([.save(system)], author: SampleRepository.alice)
        let diff = try runGit(["diff", "HEAD~1", "--numstat"], in: sample.path).output
        #expect(diff.trimmingCharacters(in: .whitespacesAndNewlines) == "1\t1\tsystems/sys-l2-ferry.json")
    }

    @Test func saveOfAnUnchangedObjectMakesNoCommit() throws {
        let sample = try SampleRepository()
        let head = sample.repository.store.head()
        let result = try sample.repository.apply([.save(try sample.document(.zone, "zone-hp-l1"))], author: SampleRepository.alice)
        #expect(result.changed.isEmpty)
        #expect(sample.repository.store.head() == head)
    }

    @Test func aStaleVersionIsAConflictCarryingTheCurrentObject() throws {
        let sample = try SampleRepository()
        let seenByAlice = try sample.document(.system, "sys-l2-ferry")
        var bobs = seenByAlice
        bobs["capacity"] = 12
        try sample.repository.apply([.save(bobs)], author: SampleRepository.bob)

        var alices = seenByAlice
        alices["name"] = "Ferry (renamed)"
        let head = sample.repository.store.head()
        #expect {
            try sample.repository.apply([.save(alices)], author: SampleRepository.alice)
        } throws: { error in
            guard case WriteError.conflict(let ref, let basedOn, let current) = error else { return false }
            return ref.id == "sys-l2-ferry" && basedOn == seenByAlice.version && current?.int("capacity") == 12
        }
        #expect(sample.repository.store.head() == head)
    }

    @Test func creatingAnExistingIDIsAConflict() throws {
        let sample = try SampleRepository()
        let duplicate = ConfigDocument(ref: ObjectRef(.zone, "zone-hp-l1"), members: ["name": "Another L1"])
        #expect(throws: WriteError.self) { try sample.repository.apply([.save(duplicate)], author: SampleRepository.alice) }
    }

    @Test func anInvalidWriteIsRefusedWithItsProblemsAndNothingIsCommitted() throws {
        let sample = try SampleRepository()
        var module = try sample.document(.module, "mod-l2-ferry-hvac")
        module["port"] = 0
        module["driver_id"] = "driver-nope"
        let head = sample.repository.store.head()
        #expect {
            try sample.repository.apply([.save(module)], author: SampleRepository.alice)
        } throws: { error in
            guard case WriteError.invalid(let problems) = error else { return false }
            return problems.map(\.description) == [
                "modules/mod-l2-ferry-hvac.json: driver_id: refers to driver \"driver-nope\", which does not exist",
                "modules/mod-l2-ferry-hvac.json: port: must be from 1 to 65535, found 0",
            ]
        }
        #expect(sample.repository.store.head() == head)
    }

    @Test func apiKeyNamesAreUniquePerDomainOnTheWriteGate() throws {
        let sample = try SampleRepository()
        let first = ConfigDocument(ref: ObjectRef(.apiKey, "key-kiosk-a"), members: ["name": "Kiosk", "user_id": "user-admin"])
        try sample.repository.apply([.save(first)], author: SampleRepository.alice)
        let second = ConfigDocument(ref: ObjectRef(.apiKey, "key-kiosk-b"), members: ["name": "kiosk", "user_id": "user-support"])
        #expect {
            try sample.repository.apply([.save(second)], author: SampleRepository.alice)
        } throws: { error in
            guard case WriteError.invalid(let problems) = error else { return false }
            return problems.map(\.description).contains(
                "api-keys/key-kiosk-b.json: name: \"kiosk\" is already used in authority-harbourpoint by API key \"key-kiosk-a\"")
        }
    }

    @Test func plainSecretsAreSealedOnTheWayIn() throws {
        let sample = try SampleRepository()
        var zone = try sample.document(.zone, "zone-hp-l2")
        zone["settings"] = ["none": ["a": 1], "admin": ["door_pin": "4321"]]
        try sample.repository.apply([.save(zone)], author: SampleRepository.alice)
        let text = try #require(String(data: FileManager.default.contents(atPath: sample.path + "/zones/zone-hp-l2.json")!, encoding: .utf8))
        #expect(!text.contains("4321"))
        #expect(text.contains("\"door_pin\": \"enc:v1:"))
        #expect(try sample.repository.validate() == [])
    }

    @Test func deletingAZoneTakesItsChildrenAndLeavesItsSystemsInOneCommit() throws {
        let sample = try SampleRepository()
        let before = try sample.repository.headSnapshot()
        let result = try sample.repository.apply([.delete(ObjectRef(.zone, "zone-hp-tower"), version: nil)], author: SampleRepository.alice)
        let after = result.snapshot
        #expect(after.document(.zone, "zone-hp-tower") == nil)
        for level in ["zone-hp-l1", "zone-hp-l2", "zone-hp-l3"] { #expect(after.document(.zone, level) == nil) }
        #expect(after.document(.metadata, "zone-hp-tower/features") == nil)
        for system in after.all(.system) {
            #expect(SystemView(system).zoneIDs == ["zone-harbourpoint"])
        }
        #expect(after.count(.system) == before.count(.system))
        #expect(try runGit(["rev-list", "--count", "HEAD"], in: sample.path).output.trimmingCharacters(in: .whitespacesAndNewlines) == "2")
        #expect(result.commit.subject.hasPrefix("zones: delete \"Harbour Point Tower\" and "))
        #expect(Validator(snapshot: after).validateAll() == [])
    }

    @Test func deletingASystemTakesItsLogicAndExclusiveModules() throws {
        let sample = try SampleRepository()
        let before = try sample.repository.headSnapshot()
        let moduleIDs = try #require(before.document(.system, "sys-l3-boardroom").map { SystemView($0).moduleIDs })
        let after = try sample.repository.apply([.delete(ObjectRef(.system, "sys-l3-boardroom"), version: nil)],
                                                author: SampleRepository.alice).snapshot
        for id in moduleIDs { #expect(after.document(.module, id) == nil, "\(id) should be gone") }
        #expect(after.document(.metadata, "sys-l3-boardroom/av-notes") == nil)
        #expect(after.count(.module) == before.count(.module) - moduleIDs.count)
    }

    @Test func deletingADriverTakesItsModulesOutOfEverySystem() throws {
        let sample = try SampleRepository()
        let after = try sample.repository.apply([.delete(ObjectRef(.driver, "driver-pjlink-projector"), version: nil)],
                                                author: SampleRepository.alice).snapshot
        #expect(after.all(.module).allSatisfy { ModuleView($0).driverID != "driver-pjlink-projector" })
        for system in after.all(.system) {
            #expect(SystemView(system).moduleIDs.allSatisfy { after.document(.module, $0) != nil })
        }
        #expect(Validator(snapshot: after).validateAll() == [])
    }

    @Test func historyDiffAndRevertOfOneObject() throws {
        let sample = try SampleRepository()
        let ref = ObjectRef(.system, "sys-l2-ferry")
        var system = try sample.document(.system, ref.id)
        system["capacity"] = 9
        let first = try sample.repository.apply([.save(system)], author: SampleRepository.alice)
        system = try sample.document(.system, ref.id)
        system["support_url"] = "https://support.example/ferry"
        try sample.repository.apply([.save(system)], author: SampleRepository.bob)

        let history = try sample.repository.history(of: ref)
        #expect(history.map(\.author.name) == ["Bob Support", "Alice Admin", "BackOffice"])
        let changes = try sample.repository.changes(to: ref, in: first.commit.id)
        #expect(changes == [FieldChange(path: "capacity", old: 8, new: 9)])

        let reverted = try sample.repository.revert(first.commit.id, author: SampleRepository.alice)
        #expect(reverted.commit.subject == "Revert \"systems: capacity of \"L2 Ferry Meeting Room\" 8 → 9\"")
        let now = try sample.document(.system, ref.id)
        #expect(now.int("capacity") == 8)
        #expect(now.string("support_url") == "https://support.example/ferry")
    }

    @Test func aConflictingRevertIsRefusedAndWritesNothing() throws {
        let sample = try SampleRepository()
        var system = try sample.document(.system, "sys-l2-ferry")
        system["capacity"] = 9
        let first = try sample.repository.apply([.save(system)], author: SampleRepository.alice)
        system = try sample.document(.system, "sys-l2-ferry")
        system["capacity"] = 10
        try sample.repository.apply([.save(system)], author: SampleRepository.bob)
        let head = sample.repository.store.head()
        #expect {
            try sample.repository.revert(first.commit.id, author: SampleRepository.alice)
        } throws: { error in
            if case WriteError.store(.revertConflict(let paths)) = error { return paths == ["systems/sys-l2-ferry.json"] }
            return false
        }
        #expect(sample.repository.store.head() == head)
    }

    @Test func aRevertThatWouldBreakTheConfigurationIsRefused() throws {
        let sample = try SampleRepository()
        // Creating a zone, then a system in it; reverting the zone's creation would leave
        // the system pointing at nothing.
        let zone = ConfigDocument(ref: ObjectRef(.zone, "zone-annex"), members: ["name": "Annex", "parent_id": "zone-harbourpoint"])
        let created = try sample.repository.apply([.save(zone)], author: SampleRepository.alice)
        let system = ConfigDocument(ref: ObjectRef(.system, "sys-annex-1"), members: ["name": "Annex 1", "zones": ["zone-annex"]])
        try sample.repository.apply([.save(system)], author: SampleRepository.alice)
        #expect {
            try sample.repository.revert(created.commit.id, author: SampleRepository.alice)
        } throws: { error in
            guard case WriteError.invalid(let problems) = error else { return false }
            return problems.map(\.description) == ["systems/sys-annex-1.json: zones[0]: refers to zone \"zone-annex\", which does not exist"]
        }
    }

    @Test func concurrentWritersOnDifferentObjectsAllLand() async throws {
        let sample = try SampleRepository()
        let systems = try sample.repository.headSnapshot().all(.system).prefix(8).map(\.id)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for id in systems {
                group.addTask {
                    var system = try sample.document(.system, id)
                    system["capacity"] = 42
                    try sample.repository.apply([.save(system)], author: SampleRepository.alice)
                }
            }
            try await group.waitForAll()
        }
        let snapshot = try sample.repository.headSnapshot()
        for id in systems { #expect(snapshot.document(.system, id)?.int("capacity") == 42) }
        #expect(try runGit(["rev-list", "--count", "HEAD"], in: sample.path).output.trimmingCharacters(in: .whitespacesAndNewlines) == "9")
    }

    @Test func twoWritersOnTheSameObjectGiveExactlyOneConflict() async throws {
        let sample = try SampleRepository()
        let seen = try sample.document(.system, "sys-l2-ferry")
        let outcomes = Recorder<String>()
        await withTaskGroup(of: Void.self) { group in
            for capacity in [30, 31] {
                group.addTask {
                    var edit = seen
                    edit["capacity"] = .int(capacity)
                    do {
                        try sample.repository.apply([.save(edit)], author: SampleRepository.alice)
                        outcomes.append("ok")
                    } catch WriteError.conflict {
                        outcomes.append("conflict")
                    } catch {
                        outcomes.append("error \(error)")
                    }
                }
            }
        }
        #expect(outcomes.values.sorted() == ["conflict", "ok"])
    }

    @Test func theWatcherSeesACommitMadeWithTheGitCLI() throws {
        let sample = try SampleRepository()
        let seen = Recorder<SnapshotChange>()
        let token = try sample.repository.watch(interval: .milliseconds(50)) { change in seen.append(change) }
        defer { token.cancel() }
        let file = sample.path + "/zones/zone-hp-l1.json"
        var members = try #require(try JSONParser.parse([UInt8](Data(contentsOf: URL(fileURLWithPath: file)))).objectValue)
        let oldName = members["name"]
        members["name"] = "Level One"
        try Data(JSONWriter.canonicalBytes(.object(members))).write(to: URL(fileURLWithPath: file))
        #expect(try runGit(["commit", "-qam", "rename level 1"], in: sample.path).status == 0)
        let deadline = Date().addingTimeInterval(5)
        while seen.values.isEmpty && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        let change = try #require(seen.values.first)
        #expect(change.changedPaths == ["zones/zone-hp-l1.json"])
        #expect(change.new.document(.zone, "zone-hp-l1")?.string("name") == "Level One")
        #expect(change.old?.document(.zone, "zone-hp-l1")?["name"] == oldName)
    }

    @Test func settingsOfALogicModuleFollowThePlaceOSRule() throws {
        let sample = try SampleRepository()
        let snapshot = try sample.repository.headSnapshot()
        let box = try #require(sample.repository.secretBox)
        // Boardroom system (20) beats level 3 and building (15) and the driver (30).
        let boardroom = try SettingsMerge.effective(snapshot.settingsLayers(forModule: "mod-l3-boardroom-logic"), box: box)
        #expect(boardroom["vacancy_timeout_minutes"] == 20)
        // Ferry has no system value: level 2 (10) is the last zone and wins over the building (15).
        let ferry = try SettingsMerge.effective(snapshot.settingsLayers(forModule: "mod-l2-ferry-logic"), box: box)
        #expect(ferry["vacancy_timeout_minutes"] == 10)
        // A device module ignores zones and system; its driver's secret opens for the driver.
        let projector = try SettingsMerge.effective(snapshot.settingsLayers(forModule: "mod-l2-ferry-projector"), box: box)
        #expect(projector["vacancy_timeout_minutes"] == nil)
        #expect(projector["password"]?.stringValue?.isEmpty == false)
        let userView = try SettingsMerge.view(snapshot.settingsLayers(forModule: "mod-l2-ferry-projector"), box: box, role: .user)
        #expect(userView["password"] == nil)
    }
}

/// Collects values from concurrent tasks and callbacks.
final class Recorder<Value: Sendable>: Sendable {
    private let storage = Mutex<[Value]>([])
    func append(_ value: Value) { storage.withLock { $0.append(value) } }
    var values: [Value] { storage.withLock { $0 } }
}
