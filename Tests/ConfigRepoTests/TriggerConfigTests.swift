import Foundation
import Testing
@testable import ConfigRepo

/// Trigger instances as the configuration defines them, and the `check`-time rules that need
/// the whole tree: modules a trigger names must exist in each system it runs in, cron and time
/// zones parse, mail settings are well formed.
@Suite struct TriggerConfigTests {
    let hvac = "trigger-vacant-hvac-standby"
    let release = "trigger-release-unused-booking"
    let offline = "trigger-hvac-offline"

    func problems(_ edits: [String: [String: JSONValue]?] = [:]) -> [String] {
        Validator(snapshot: SampleConfig.snapshot(edits)).validateAll().map(\.description)
            .filter { !$0.contains("plain text under an encrypted level") }
    }

    func edited(_ path: String, _ change: (inout [String: JSONValue]) -> Void) -> [String: [String: JSONValue]?] {
        var members = SampleConfig.members(path)
        change(&members)
        return [path: members]
    }

    // MARK: instances

    @Test func aZoneTriggerReachesEverySystemOfTheZoneWithAStableDerivedID() {
        let snapshot = SampleConfig.snapshot()
        let tide = snapshot.triggerInstances(ofSystem: "sys-l3-tide")
        #expect(tide.map(\.triggerID) == [hvac, offline])
        #expect(tide[0].origin == .zone("zone-hp-tower"))
        #expect(tide[0].id == TriggerInstanceConfig.derivedID(system: "sys-l3-tide", trigger: hvac))
        #expect(tide[0].id.hasPrefix("trig-") && tide[0].id.count == 21)
        #expect(tide[0].enabled && !tide[0].execEnabled && tide[0].webhookSecret == .derived)
        #expect(TriggerInstanceConfig.derivedID(system: "sys-l3-tide", trigger: hvac)
                != TriggerInstanceConfig.derivedID(system: "sys-l3-bridge", trigger: hvac))
        let all = snapshot.allTriggerInstances()
        #expect(all.count == 15)
        #expect(all.values.reduce(0) { $0 + $1.count } == 32)  // two zone triggers, and two rooms release unused bookings
    }

    @Test func aSystemEntryComesFirstAndOverridesTheZoneInstanceOfTheSameTrigger() {
        let snapshot = SampleConfig.snapshot(edited("systems/sys-l3-boardroom.json") {
            var entries = $0["triggers"]!.arrayValue!
            entries.append(["id": "trig-boardroom-hvac", "trigger_id": .string(hvac), "enabled": false, "exec_enabled": true])
            $0["triggers"] = .array(entries)
        })
        let boardroom = snapshot.triggerInstances(ofSystem: "sys-l3-boardroom")
        #expect(boardroom.map(\.id) == ["trig-l3-boardroom-release", "trig-boardroom-hvac",
                                         TriggerInstanceConfig.derivedID(system: "sys-l3-boardroom", trigger: offline)])
        #expect(boardroom[1].origin == .systemEntry(1) && boardroom[1].zoneID == "zone-hp-tower")
        #expect(!boardroom[1].enabled && boardroom[1].execEnabled)
    }

    @Test func aDedicatedTriggerRunsInItsSystemOnly() {
        var trigger = SampleConfig.members("triggers/\(release).json")
        trigger["control_system_id"] = "sys-l2-ferry"
        let snapshot = SampleConfig.snapshot(["triggers/trigger-ferry-only.json": trigger])
        #expect(snapshot.triggerInstances(ofSystem: "sys-l2-ferry").map(\.triggerID) == [hvac, offline, "trigger-ferry-only"])
        #expect(snapshot.triggerInstances(ofSystem: "sys-l2-ferry").last?.origin == .dedicated)
        #expect(!snapshot.triggerInstances(ofSystem: "sys-l2-buoy").contains { $0.triggerID == "trigger-ferry-only" })
    }

    @Test func aSealedEntrySecretIsBoundToItsPlaceInTheList() {
        let snapshot = SampleConfig.snapshot(edited("systems/sys-l3-boardroom.json") {
            $0["triggers"] = [["id": "trig-a", "trigger_id": .string(release), "webhook_secret": "enc:v1:AAAA"]]
        })
        let instance = snapshot.triggerInstances(ofSystem: "sys-l3-boardroom")[0]
        #expect(instance.webhookSecret == .sealed(envelope: "enc:v1:AAAA",
                                                  binding: .field(objectID: "sys-l3-boardroom", path: "triggers[0].webhook_secret")))
    }

    @Test func derivedSecretsDifferByPurposeAndSubjectAndRepeat() {
        let box = SecretBox(secret: DeploymentSecret(bytes: Array(repeating: 7, count: 32)))
        let one = box.derivedSecret(purpose: "trigger webhook", subject: "trig-a")
        #expect(one.count == 32)
        #expect(one == box.derivedSecret(purpose: "trigger webhook", subject: "trig-a"))
        #expect(one != box.derivedSecret(purpose: "trigger webhook", subject: "trig-b"))
        #expect(one != box.derivedSecret(purpose: "trigger signing", subject: "trig-a"))
        let other = SecretBox(secret: DeploymentSecret(bytes: Array(repeating: 8, count: 32)))
        #expect(one != other.derivedSecret(purpose: "trigger webhook", subject: "trig-a"))
    }

    // MARK: check-time rules

    @Test func aRoomOfTheZoneMayLackAModuleTheZoneTriggerNames() {
        // Its instance reports the missing module at run time; deleting a room's HVAC needs no trigger edit.
        #expect(problems(edited("systems/sys-l3-tide.json") {
            $0["modules"] = ["mod-l3-tide-logic", "mod-l3-tide-occupancy", "mod-l3-tide-lighting"]
        }).isEmpty)
    }

    @Test func anEntryAskingForATriggerInARoomWithoutItsModuleIsRefusedUnlessDisabled() {
        let lacking = edited("systems/sys-l3-tide.json") {
            $0["modules"] = ["mod-l3-tide-logic", "mod-l3-tide-occupancy", "mod-l3-tide-lighting"]
            $0["triggers"] = [["trigger_id": .string(hvac), "exec_enabled": true]]
        }
        #expect(problems(lacking) == ["systems/sys-l3-tide.json: triggers[0]: trigger \"Vacant room: HVAC to standby\" names HVAC_1 in triggers/trigger-vacant-hvac-standby.json actions.functions[0].mod, but this system has modules RoomLogic_1, Occupancy_1, Lighting_1; add the module or set \"enabled\": false here"])
        #expect(problems(edited("systems/sys-l3-tide.json") {
            $0["modules"] = ["mod-l3-tide-logic", "mod-l3-tide-occupancy", "mod-l3-tide-lighting"]
            $0["triggers"] = [["trigger_id": .string(hvac), "enabled": false]]
        }).isEmpty)
    }

    @Test func aModuleNoneOfTheTriggersRoomsHaveIsATypoRefusedOnTheTriggerAlsoIncrementally() {
        let path = "triggers/\(hvac).json"
        let edits = edited(path) {
            $0["conditions"] = ["comparisons": [["left": ["mod": "Ocupancy_1", "status": "people_count"], "operator": "equal", "right": 0]]]
        }
        let found = problems(edits)
        #expect(found == ["\(path): conditions.comparisons[0].left.mod: names module Ocupancy_1, which none of the 15 systems it runs in has"])
        let base = SampleConfig.snapshot()
        let candidate = SampleConfig.snapshot(edits)
        let incremental = Validator(snapshot: candidate).validate(Validator.affectedObjects(by: [ObjectRef(.trigger, hvac)], before: base, after: candidate))
            .map(\.description).filter { !$0.contains("plain text under an encrypted level") }
        #expect(incremental == found)
    }

    @Test func secondEntriesDedicatedTriggersAndZonesApplyingThemAreRefused() {
        var dedicated = SampleConfig.members("triggers/\(release).json")
        dedicated["control_system_id"] = "sys-l2-ferry"
        var edits = edited("systems/sys-l3-boardroom.json") {
            $0["triggers"] = [["trigger_id": .string(release)], ["trigger_id": .string(release)], ["trigger_id": "trigger-ferry-only"]]
        }
        edits["triggers/trigger-ferry-only.json"] = dedicated
        edits.merge(edited("zones/zone-hp-l1.json") { $0["triggers"] = ["trigger-ferry-only"] }) { $1 }
        let found = problems(edits)
        #expect(found.contains("systems/sys-l3-boardroom.json: triggers[1].trigger_id: trigger \"\(release)\" already has an instance in this system (triggers[0]); a system runs one instance per trigger"))
        #expect(found.contains("systems/sys-l3-boardroom.json: triggers[2].trigger_id: trigger \"trigger-ferry-only\" is dedicated to system \"sys-l2-ferry\" (its control_system_id)"))
        #expect(found.contains("zones/zone-hp-l1.json: triggers[0]: trigger \"trigger-ferry-only\" is dedicated to system \"sys-l2-ferry\" (its control_system_id); a zone cannot apply it"))
    }

    @Test func instanceIDsAreUniqueAcrossSystems() {
        var edits = edited("systems/sys-l2-buoy.json") {
            $0["triggers"] = [["id": "trig-l3-boardroom-release", "trigger_id": .string(release)]]
        }
        edits.merge(edited("systems/sys-l2-ferry.json") { $0["triggers"] = [["id": "trig-ferry", "trigger_id": .string(release)]] }) { $1 }
        let found = problems(edits)
        #expect(found == [
            "systems/sys-l2-buoy.json: triggers: trigger instance id \"trig-l3-boardroom-release\" is already used by system \"sys-l3-boardroom\"; instance ids are unique across systems",
            "systems/sys-l3-boardroom.json: triggers: trigger instance id \"trig-l3-boardroom-release\" is already used by system \"sys-l2-buoy\"; instance ids are unique across systems",
        ])
    }

    @Test func aDedicatedTriggerNamingAModuleItsSystemLacksIsRefusedOnTheTrigger() {
        var dedicated = SampleConfig.members("triggers/\(release).json")
        dedicated["control_system_id"] = "sys-l2-buoy"
        dedicated["actions"] = ["functions": [["mod": "Projector_1", "method": "power", "args": ["state": false]]]]
        let found = problems(["triggers/trigger-buoy.json": dedicated])
        #expect(found == ["triggers/trigger-buoy.json: actions.functions[0].mod: names module Projector_1, but system \"sys-l2-buoy\" has modules RoomLogic_1, Occupancy_1, HVAC_1, Lighting_1"])
    }

    @Test func cronTimeZoneAndForAreCheckedWithTheRuntimesParser() {
        let path = "triggers/\(hvac).json"
        let found = problems(edited(path) {
            $0["conditions"] = ["time_dependents": [
                ["type": "cron", "cron": "0 25 * * *", "timezone": "Australia/Sydney"],
                ["type": "cron", "cron": "0 7 * * mon-fri", "timezone": "Mars/Olympus"],
                ["type": "for", "seconds": 60],
            ]]
        })
        #expect(found == [
            "\(path): conditions.time_dependents[0].cron: hour: 25 is outside 0-23",
            "\(path): conditions.time_dependents[1].timezone: must be an IANA time zone such as \"Australia/Sydney\", found string \"Mars/Olympus\"",
            "\(path): conditions.time_dependents[2]: a `for` condition needs at least one comparison: it holds once the comparisons have held that long",
        ])
    }

    @Test func mailSettingsInBackofficeJSON() {
        var deployment = SampleConfig.members("backoffice.json")
        deployment["mail"] = ["host": "", "port": 70000, "security": "ssl", "from": "nobody", "password": "hunter2", "colour": "red"]
        let found = problems(["backoffice.json": deployment])
        #expect(found == [
            "backoffice.json: mail.colour: unknown mail setting; known: host, port, security, username, password, from, helo_name, timeout_seconds",
            "backoffice.json: mail.from: must be an email address, found \"nobody\"",
            "backoffice.json: mail.host: is required: the SMTP server's host name",
            "backoffice.json: mail.password: must be an encrypted value (enc:v1:…); plain text is not stored — save it through the site or `backoffice secret seal`",
            "backoffice.json: mail.port: must be a port number 1-65535",
            "backoffice.json: mail.security: must be one of starttls, tls, none",
        ])
        deployment["mail"] = ["host": "smtp.example.com", "from": "backoffice@example.com"]
        #expect(problems(["backoffice.json": deployment]).isEmpty)
        let settings = MailServerSettings(DeploymentFile(members: deployment))
        #expect(settings?.port == 587 && settings?.security == .starttls)
    }

    @Test func theMailPasswordIsSealedForItsPlaceAndOpensOnlyThere() throws {
        let box = SecretBox(secret: DeploymentSecret(bytes: Array(repeating: 3, count: 32)))
        let file = DeploymentFile(members: ["mail": ["host": "smtp.example.com", "from": "a@example.com", "username": "u", "password": "hunter2"]])
        let sealed = SecretSealer(box: box).seal(file)
        let envelope = try #require(sealed.members["mail"]?["password"]?.stringValue)
        #expect(SecretBox.isEnvelope(envelope))
        #expect(try box.open(envelope, binding: MailServerSettings.passwordBinding) == "hunter2")
        #expect(throws: SecretBoxError.cannotOpen) { try box.open(envelope, binding: .field(objectID: "backoffice", path: "other")) }
    }
}
