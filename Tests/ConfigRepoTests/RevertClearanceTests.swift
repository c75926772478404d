import Testing
@testable import ConfigRepo

/// A revert asked for from an object's history: only a commit of that history, and only when the
/// caller may make every change the revert makes (the escalation of issue 11, item 1).
@Suite struct RevertClearanceTests {
    static let support = Role.support

    /// Alice (admin) demotes the support user and edits a system in one go; returns both commits.
    private func demotion(_ sample: SampleRepository) throws -> (demote: ObjectID, system: ObjectID) {
        var user = try sample.document(.user, "user-support")
        user["support"] = false
        let demote = try sample.repository.apply([.save(user)], author: SampleRepository.alice)
        var system = try sample.document(.system, "sys-l2-ferry")
        system["capacity"] = 9
        let edit = try sample.repository.apply([.save(system)], author: SampleRepository.alice)
        return (demote.commit.id, edit.commit.id)
    }

    private func isNotInHistory(_ error: any Error) -> Bool {
        if case WriteError.notInHistory = error { return true }
        return false
    }

    private func unmetPaths(_ error: any Error) -> [String]? {
        guard case WriteError.notPermitted(let requirements) = error else { return nil }
        return requirements.map(\.path)
    }

    @Test func aCommitFromAnotherObjectsHistoryIsRefused() throws {
        let sample = try SampleRepository()
        let commits = try demotion(sample)
        let head = sample.repository.store.head()
        let ferry = ObjectRef(.system, "sys-l2-ferry")
        #expect(try !sample.repository.isInHistory(commits.demote, of: .object(ferry)))
        #expect(try sample.repository.isInHistory(commits.system, of: .object(ferry)))
        #expect(throws: WriteError.self) {
            try sample.repository.revert(commits.demote, author: SampleRepository.bob, scope: .object(ferry), actingAs: Self.support)
        }
        #expect {
            try sample.repository.revert(commits.demote, author: SampleRepository.bob, scope: .object(ferry), actingAs: Self.support)
        } throws: { isNotInHistory($0) }
        // Not even an admin reverts a commit through a history it is not in.
        #expect {
            try sample.repository.revert(commits.demote, author: SampleRepository.alice, scope: .object(ferry), actingAs: .admin)
        } throws: { isNotInHistory($0) }
        #expect(sample.repository.store.head() == head)
        #expect(try sample.document(.user, "user-support").bool("support") == false)
    }

    @Test func anUnknownCommitIsNotInAnyHistory() throws {
        let sample = try SampleRepository()
        let made = ObjectID(hex: String(repeating: "ab", count: 20))!
        #expect(try !sample.repository.isInHistory(made, of: .object(ObjectRef(.system, "sys-l2-ferry"))))
        #expect(try !sample.repository.isInHistory(made, of: .deployment))
    }

    @Test func aCommitInTheHistoryThatAlsoChangedAUserIsRefusedToSupport() throws {
        let sample = try SampleRepository()
        // One commit (an engineer's push, an import) changes a system and demotes support.
        var user = try sample.document(.user, "user-support")
        user["support"] = false
        var system = try sample.document(.system, "sys-l2-ferry")
        system["capacity"] = 9
        let both = try sample.repository.apply([.save(user), .save(system)], author: SampleRepository.alice)
        let ferry = ObjectRef(.system, "sys-l2-ferry")
        #expect(try sample.repository.isInHistory(both.commit.id, of: .object(ferry)))
        #expect(try sample.repository.revertEffect(both.commit.id).paths == ["systems/sys-l2-ferry.json", "users/user-support.json"])
        let head = sample.repository.store.head()
        #expect {
            try sample.repository.revert(both.commit.id, author: SampleRepository.bob, scope: .object(ferry), actingAs: Self.support)
        } throws: { unmetPaths($0) == ["users/user-support.json"] }
        #expect(sample.repository.store.head() == head)
        // An admin may.
        let reverted = try sample.repository.revert(both.commit.id, author: SampleRepository.alice, scope: .object(ferry), actingAs: .admin)
        #expect(reverted.snapshot.document(.user, "user-support")?.bool("support") == true)
    }

    @Test func restoringADeletedAPIKeyNeedsAdmin() throws {
        let sample = try SampleRepository()
        let key = ConfigDocument(ref: ObjectRef(.apiKey, "key-ops"), members: ["name": "ops", "user_id": "user-admin"])
        try sample.repository.apply([.save(key)], author: SampleRepository.alice)
        let deleted = try sample.repository.apply([.delete(key.ref, version: nil)], author: SampleRepository.alice)
        #expect(try sample.repository.isInHistory(deleted.commit.id, of: .object(key.ref)))
        #expect {
            try sample.repository.revert(deleted.commit.id, author: SampleRepository.bob, scope: .object(key.ref), actingAs: Self.support)
        } throws: { unmetPaths($0) == ["api-keys/key-ops.json"] }
    }

    @Test func aDeploymentCommitIsRevertedOnlyFromTheDeploymentsHistory() throws {
        let sample = try SampleRepository()
        var file = try sample.repository.headSnapshot().deployment!
        file.members["title"] = "Changed"
        let edit = try sample.repository.apply([.saveDeployment(file)], author: SampleRepository.alice)
        let commits = try demotion(sample)
        #expect(try sample.repository.isInHistory(edit.commit.id, of: .deployment))
        #expect(try !sample.repository.isInHistory(commits.system, of: .deployment))
        #expect {
            try sample.repository.revert(commits.demote, author: SampleRepository.alice, scope: .deployment, actingAs: .admin)
        } throws: { isNotInHistory($0) }
        // Through a system's history a deployment commit is not in scope either.
        #expect {
            try sample.repository.revert(edit.commit.id, author: SampleRepository.bob, scope: .object(ObjectRef(.system, "sys-l2-ferry")),
                                         actingAs: Self.support)
        } throws: { isNotInHistory($0) }
        let reverted = try sample.repository.revert(edit.commit.id, author: SampleRepository.alice, scope: .deployment, actingAs: .admin)
        #expect(reverted.changedDeployment)
    }

    @Test func revertingAnAdminSettingOfASystemNeedsAdmin() throws {
        let sample = try SampleRepository()
        var system = try sample.document(.system, "sys-l2-ferry")
        system["settings"] = ["admin": ["alarm_code": "4321"]]
        let secret = try sample.repository.apply([.save(system)], author: SampleRepository.alice)
        let ferry = ObjectRef(.system, "sys-l2-ferry")
        #expect {
            try sample.repository.revert(secret.commit.id, author: SampleRepository.bob, scope: .object(ferry), actingAs: Self.support)
        } throws: { error in
            guard case WriteError.notPermitted(let requirements) = error else { return false }
            return requirements.map(\.description) == ["systems/sys-l2-ferry.json: settings.admin: admin-level settings are changed by admins only"]
        }
    }

    @Test func aFormSaveIsCheckedForTheActingRole() throws {
        let sample = try SampleRepository()
        var projector = try sample.document(.module, "mod-l2-ferry-projector")
        projector["ip"] = "203.0.113.9"
        let head = sample.repository.store.head()
        #expect {
            try sample.repository.apply([.save(projector)], author: SampleRepository.bob, actingAs: Self.support)
        } throws: { unmetPaths($0) == ["modules/mod-l2-ferry-projector.json"] }
        #expect(sample.repository.store.head() == head)
        var lighting = try sample.document(.module, "mod-l2-ferry-lighting")
        lighting["ip"] = "127.0.0.2"
        try sample.repository.apply([.save(lighting)], author: SampleRepository.bob, actingAs: Self.support)
        try sample.repository.apply([.save(projector)], author: SampleRepository.alice, actingAs: .admin)
        // Deleting a system takes its triggers and modules with it: the cascade follows from a
        // delete support may make, so it is not held against them.
        try sample.repository.apply([.delete(ObjectRef(.system, "sys-l3-boardroom"), version: nil)], author: SampleRepository.bob,
                                    actingAs: Self.support)
    }
}
