import Testing
@testable import ConfigRepo

/// Who may make a change (docs/settings-and-secrets.md §7): kinds, settings levels, where a
/// module connects, the deployment file and files outside the object layout.
@Suite struct ChangeClearanceTests {
    private func module(_ id: String, _ members: [String: JSONValue]) -> ConfigDocument {
        ConfigDocument(ref: ObjectRef(.module, id), members: members)
    }

    private func unmet(_ requirements: [ClearanceRequirement], by role: Role) -> [String] {
        requirements.unmet(by: role).map(\.description)
    }

    @Test func editorRolesFollowTheKind() {
        #expect(Role.support.mayEdit(.system) && Role.support.mayEdit(.zone) && Role.support.mayEdit(.module))
        #expect(Role.support.mayEdit(.metadata))
        for kind in [Kind.user, .apiKey, .domain, .application, .authStrategy, .repository, .driver, .trigger, .schema] {
            #expect(!Role.support.mayEdit(kind), "support may not edit \(kind)")
            #expect(Role.admin.mayEdit(kind))
        }
        #expect(Kind.allCases.allSatisfy { !Role.user.mayEdit($0) })
    }

    @Test func aPlainFieldOfASystemNeedsSupport() {
        let snapshot = SampleConfig.snapshot()
        var system = snapshot.document(.system, "sys-l2-ferry")!
        let old = system
        system["capacity"] = 12
        let requirements = ChangeClearance.forObject(system.ref, old: old, new: system, after: snapshot)
        #expect(requirements.map(\.role).max() == .support)
        #expect(unmet(requirements, by: .support).isEmpty)
        #expect(unmet(requirements, by: .user) == ["systems/sys-l2-ferry.json: systems are edited by support and admins"])
    }

    @Test func settingsLevelsNeedTheRoleThatReadsThem() {
        let snapshot = SampleConfig.snapshot()
        let old = snapshot.document(.system, "sys-l2-ferry")!
        var new = old
        new["settings"] = ["none": ["a": 1], "support": ["b": "enc:v1:AAAA"], "admin": ["alarm_code": "enc:v1:BBBB"]]
        let requirements = ChangeClearance.forObject(old.ref, old: old, new: new, after: snapshot)
        #expect(unmet(requirements, by: .support) == [
            "systems/sys-l2-ferry.json: settings.admin: admin-level settings are changed by admins only"])
        var neverDisplay = old
        neverDisplay["settings"] = ["never_display": ["k": "enc:v1:CCCC"]]
        #expect(unmet(ChangeClearance.forObject(old.ref, old: old, new: neverDisplay, after: snapshot), by: .support) == [
            "systems/sys-l2-ferry.json: settings.never_display: never_display-level settings are changed by admins only"])
        var unknown = old
        unknown["settings"] = ["secret": ["k": 1]]
        #expect(unmet(ChangeClearance.forObject(old.ref, old: old, new: unknown, after: snapshot), by: .support).count == 1)
    }

    @Test func movingAModuleThatReceivesAdminSettingsNeedsAdmin() {
        // The PJLink driver carries an admin-level password: a projector sends it to where it connects.
        let snapshot = SampleConfig.snapshot()
        let old = snapshot.document(.module, "mod-l2-ferry-projector")!
        #expect(snapshot.mostSecretLevel(receivedByModule: old.id) == .admin)
        for (field, value) in [("ip", JSONValue.string("203.0.113.9")), ("port", 4353), ("tls", true), ("udp", true),
                               ("uri", "tcp://203.0.113.9:1")] {
            var new = old
            new[field] = value
            let after = snapshot.replacing([old.ref: new])
            let refused = unmet(ChangeClearance.forObject(old.ref, old: old, new: new, after: after), by: .support)
            #expect(refused.count == 1, "changing \(field)")
            #expect(refused.first?.contains("modules/mod-l2-ferry-projector.json: \(field): ") == true, "\(refused)")
        }
        // Another driver is other code and other settings: what the new driver receives counts (a
        // lighting driver gets no secret; the other way round, below, it does).
        var lighting = old
        lighting["driver_id"] = "driver-lutron-lighting"
        #expect(unmet(ChangeClearance.forObject(old.ref, old: old, new: lighting, after: snapshot.replacing([old.ref: lighting])),
                      by: .support).isEmpty)
        // Its notes are not where it connects.
        var notes = old
        notes["notes"] = "lamp replaced"
        #expect(unmet(ChangeClearance.forObject(old.ref, old: old, new: notes, after: snapshot), by: .support).isEmpty)
    }

    @Test func movingAModuleThatReceivesNoSecretsNeedsSupportOnly() {
        let snapshot = SampleConfig.snapshot()
        let old = snapshot.document(.module, "mod-l2-ferry-lighting")!
        #expect(snapshot.mostSecretLevel(receivedByModule: old.id) == SettingsLevel.none)
        var new = old
        new["ip"] = "203.0.113.9"
        #expect(unmet(ChangeClearance.forObject(old.ref, old: old, new: new, after: snapshot), by: .support).isEmpty)
    }

    @Test func theLevelCountsAfterTheMergeAndAfterTheChange() {
        // A module-level admin setting reaches the lighting module: moving it now needs admin.
        var lighting = SampleConfig.members("modules/mod-l2-ferry-lighting.json")
        lighting["settings"] = ["admin": ["password": "enc:v1:AAAA"]]
        let withSecret = SampleConfig.snapshot(["modules/mod-l2-ferry-lighting.json": lighting])
        #expect(withSecret.mostSecretLevel(receivedByModule: "mod-l2-ferry-lighting") == .admin)
        // A module-level plain value overriding the driver's admin password: no secret is received.
        var projector = SampleConfig.members("modules/mod-l2-ferry-projector.json")
        projector["settings"] = ["none": ["password": "public"]]
        let overridden = SampleConfig.snapshot(["modules/mod-l2-ferry-projector.json": projector])
        #expect(overridden.mostSecretLevel(receivedByModule: "mod-l2-ferry-projector") == SettingsLevel.none)
        // Switching a lighting module to the PJLink driver: the new driver's password counts.
        let before = SampleConfig.snapshot()
        let old = before.document(.module, "mod-l2-ferry-lighting")!
        var new = old
        new["driver_id"] = "driver-pjlink-projector"
        let after = before.replacing([old.ref: new])
        #expect(unmet(ChangeClearance.forObject(old.ref, old: old, new: new, after: after), by: .support).count == 1)
    }

    @Test func creatingAModuleIsChoosingWhereItConnects() {
        let before = SampleConfig.snapshot()
        let new = module("mod-mine", ["driver_id": "driver-pjlink-projector", "ip": "203.0.113.9"])
        let after = before.replacing([new.ref: new])
        #expect(unmet(ChangeClearance.forObject(new.ref, old: nil, new: new, after: after), by: .support).count == 1)
        // Deleting one sends nothing anywhere.
        let old = before.document(.module, "mod-l2-ferry-projector")!
        let deleted = before.replacing([old.ref: ConfigDocument?.none])
        #expect(unmet(ChangeClearance.forObject(old.ref, old: old, new: nil, after: deleted), by: .support).isEmpty)
    }

    @Test func kindsSupportMayNotEditAreRefusedWhateverTheField() {
        let snapshot = SampleConfig.snapshot()
        let user = snapshot.document(.user, "user-support")!
        var promoted = user
        promoted["sys_admin"] = true
        #expect(unmet(ChangeClearance.forObject(user.ref, old: user, new: promoted, after: snapshot), by: .support)
                == ["users/user-support.json: users are edited by admins only"])
    }

    @Test func filesOutsideTheObjectsNeedTheirOwnClearance() {
        #expect(ChangeClearance.forFile(RepoPath.deploymentFile).map(\.role) == [.admin])
        #expect(ChangeClearance.forFile("maps/level-2.svg").map(\.role) == [.support])
        #expect(ChangeClearance.forFile("README.md").map(\.role) == [.admin])
        #expect(ChangeClearance.forFile(".github/workflows/check.yml").map(\.role) == [.admin])
    }

    @Test func treesAreCheckedPathByPath() {
        let before = SampleConfig.snapshot()
        var user = SampleConfig.members("users/user-support.json")
        user["sys_admin"] = true
        var system = SampleConfig.members("systems/sys-l2-ferry.json")
        system["capacity"] = 99
        let after = SampleConfig.snapshot(["users/user-support.json": user, "systems/sys-l2-ferry.json": system])
        let requirements = ChangeClearance.forTrees(before: before, after: after,
                                                    paths: ["systems/sys-l2-ferry.json", "users/user-support.json", "backoffice.json"])
        #expect(unmet(requirements, by: .support) == [
            "backoffice.json: the deployment file is changed by admins only",
            "users/user-support.json: users are edited by admins only"])
        #expect(unmet(requirements, by: .admin).isEmpty)
    }
}
