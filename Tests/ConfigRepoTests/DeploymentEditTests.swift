import Foundation
import Testing
@testable import ConfigRepo

/// `Edit.saveDeployment`: writing `backoffice.json` through the validated write path.
@Suite struct DeploymentEditTests {
    func deployment(_ sample: SampleRepository) throws -> DeploymentFile {
        try #require(try sample.repository.headSnapshot().deployment)
    }

    func headBytes(_ sample: SampleRepository) throws -> [UInt8] {
        let head = try #require(sample.repository.store.head())
        return try #require(try sample.repository.store.file(at: head, path: RepoPath.deploymentFile)).bytes
    }

    @Test func theSampleFileIsCanonicalSoALoadAndSaveIsByteIdentical() throws {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Checkout.sampleConfig + "/backoffice.json")))
        #expect(try DeploymentFile.decode(bytes, version: nil).canonicalBytes == bytes)

        let sample = try SampleRepository()
        let head = sample.repository.store.head()
        let result = try sample.repository.apply([.saveDeployment(try deployment(sample))], author: SampleRepository.alice)
        #expect(result.commit.id == head)
        #expect(!result.changedDeployment)
    }

    @Test func anEditIsOneCanonicalCommitWithTheChangeInWords() throws {
        let sample = try SampleRepository()
        let before = try #require(sample.repository.store.head())
        var file = try deployment(sample)
        file.members["title"] = "Harbour Point HQ"
        file.members["settings"] = ["none": ["support_email": "support@harbourpoint.example", "timezone": "Europe/Paris"]]
        let result = try sample.repository.apply([.saveDeployment(file)], author: SampleRepository.alice)

        #expect(result.changedDeployment)
        #expect(result.commit.parents == [before])
        #expect(result.commit.author.email == "alice@harbourpoint.example")
        #expect(result.commit.message == "Deployment: settings.none.timezone changed, title \"BackOffice demo — Harbour Point\" → \"Harbour Point HQ\"")
        let bytes = try headBytes(sample)
        #expect(bytes == JSONWriter.canonicalBytes(.object(file.members)))
        #expect(String(decoding: bytes, as: UTF8.self).contains("\"timezone\": \"Europe/Paris\""))
        let saved = try deployment(sample)
        #expect(saved.title == "Harbour Point HQ")
        #expect(saved.version != file.version)
        #expect(try runGit(["status", "--porcelain"], in: sample.path).output.isEmpty)
    }

    @Test func aModulesMergedSettingsFollowTheNewGlobalValue() throws {
        let sample = try SampleRepository()
        var file = try deployment(sample)
        file.members["settings"] = ["none": ["timezone": "Europe/Paris", "poll_seconds": 15]]
        let result = try sample.repository.apply([.saveDeployment(file)], author: SampleRepository.alice)
        let box = try #require(sample.repository.secretBox)
        let merged = try SettingsMerge.effectiveWithOrigins(result.snapshot.settingsLayers(forModule: "mod-l1-huddle-hvac"), box: box)
        #expect(merged["poll_seconds"]?.value == 15)
        #expect(merged["poll_seconds"]?.origin.source == .global)
    }

    @Test func aStaleVersionIsAConflictCarryingTheCurrentFile() throws {
        let sample = try SampleRepository()
        let seen = try deployment(sample)
        var theirs = seen
        theirs.members["title"] = "Theirs"
        try sample.repository.apply([.saveDeployment(theirs)], author: SampleRepository.bob)
        let head = sample.repository.store.head()

        var mine = seen
        mine.members["title"] = "Mine"
        #expect {
            try sample.repository.apply([.saveDeployment(mine)], author: SampleRepository.alice)
        } throws: { error in
            guard case WriteError.deploymentConflict(let basedOn, let current)? = error as? WriteError else { return false }
            return basedOn == seen.version && current?.title == "Theirs"
        }
        #expect(sample.repository.store.head() == head)
        #expect(try deployment(sample).title == "Theirs")
    }

    @Test(arguments: [
        ("title", JSONValue.int(5), "title"),
        ("layout", JSONValue.object(["sharded": ["modules", "rooms"]]), "layout.sharded[1]"),
        ("settings", JSONValue.object(["everyone": ["x": 1]]), "settings.everyone"),
    ])
    func anInvalidFileIsRefusedNamingTheFieldAndNothingIsWritten(member: String, value: JSONValue, field: String) throws {
        let sample = try SampleRepository()
        let head = sample.repository.store.head()
        let bytes = try headBytes(sample)
        var file = try deployment(sample)
        file.members[member] = value
        #expect {
            try sample.repository.apply([.saveDeployment(file)], author: SampleRepository.alice)
        } throws: { error in
            guard case WriteError.invalid(let problems)? = error as? WriteError else { return false }
            return problems.contains { $0.path == "backoffice.json" && $0.field == field }
        }
        #expect(sample.repository.store.head() == head)
        #expect(try headBytes(sample) == bytes)
        #expect(try runGit(["status", "--porcelain"], in: sample.path).output.isEmpty)
    }

    @Test func anAdminLevelSecretIsSealedForTheDeploymentAndReadableOnlyByAdmins() throws {
        let sample = try SampleRepository()
        var file = try deployment(sample)
        file.members["settings"] = ["none": ["support_email": "support@harbourpoint.example", "timezone": "Australia/Sydney"],
                                    "admin": ["relay_password": "hunter2-global"]]
        let result = try sample.repository.apply([.saveDeployment(file)], author: SampleRepository.alice)
        #expect(result.commit.message == "Deployment: admin settings changed")
        #expect(!result.commit.message.contains("relay_password"))
        #expect(!result.commit.message.contains("hunter2"))

        let stored = String(decoding: try headBytes(sample), as: UTF8.self)
        #expect(!stored.contains("hunter2-global"))
        let saved = try deployment(sample)
        let sealed = Settings.parse(try #require(saved.settings)).settings
        let envelope = try #require(sealed[.admin]["relay_password"]?.stringValue)
        #expect(SecretBox.isEnvelope(envelope))

        let box = try #require(sample.repository.secretBox)
        let asAdmin = try sealed.opened(objectID: SettingsSource.globalObjectID, box: box, upTo: .admin)
        #expect(asAdmin[.admin]["relay_password"] == "hunter2-global")
        let asSupport = try sealed.opened(objectID: SettingsSource.globalObjectID, box: box, upTo: .support)
        #expect(asSupport[.admin]["relay_password"]?.stringValue == envelope)  // still sealed below admin
        // Bound to the deployment file: the same ciphertext does not open for another object.
        #expect(sealed.verify(objectID: SettingsSource.globalObjectID, box: box).isEmpty)
        #expect(!sealed.verify(objectID: "mod-l1-huddle-hvac", box: box).isEmpty)
        #expect(try sample.repository.validate() == [])

        // Saving again with the envelope as it is keeps it (no needless re-encryption).
        var again = saved
        again.members["title"] = "Renamed"
        try sample.repository.apply([.saveDeployment(again)], author: SampleRepository.alice)
        #expect(Settings.parse(try #require(try deployment(sample).settings)).settings[.admin]["relay_password"]?.stringValue == envelope)
    }

    @Test func historyShowsFieldChangesAndARevertRestoresTheTitle() throws {
        let sample = try SampleRepository()
        var file = try deployment(sample)
        let original = file.title
        file.members["title"] = "Renamed"
        let edit = try sample.repository.apply([.saveDeployment(file)], author: SampleRepository.alice)

        let history = try sample.repository.deploymentHistory()
        #expect(history.first?.id == edit.commit.id)
        #expect(history.count == 2)  // the initial commit, then the edit
        let changes = try sample.repository.deploymentChanges(in: edit.commit.id)
        #expect(changes == [FieldChange(path: "title", old: .string(original), new: "Renamed")])

        let revert = try sample.repository.revert(edit.commit.id, author: SampleRepository.bob)
        #expect(revert.changedDeployment)
        #expect(try deployment(sample).title == original)
    }
}
