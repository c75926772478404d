import Testing
@testable import ConfigRepo

/// Every validation rule of docs/config-format.md, each proved by breaking the valid
/// sample building in one place and reading the exact problem line.
@Suite struct ValidationTests {
    /// The sample building's problems, with its plain-text demo secrets left out (they
    /// are sealed by `init`; a template may carry them).
    func problems(_ edits: [String: [String: JSONValue]?] = [:], rawFiles: [RepoFile] = []) -> [String] {
        var snapshot = SampleConfig.snapshot(edits)
        if !rawFiles.isEmpty {
            snapshot = snapshot.applying(Dictionary(uniqueKeysWithValues: rawFiles.map { ($0.path, .some($0)) }), commit: nil)
        }
        return Validator(snapshot: snapshot).validateAll().map(\.description).filter { !$0.contains("plain text under an encrypted level") }
    }

    func edited(_ path: String, _ change: (inout [String: JSONValue]) -> Void) -> [String: [String: JSONValue]?] {
        var members = SampleConfig.members(path)
        change(&members)
        return [path: members]
    }

    @Test func sampleBuildingIsValidApartFromItsDemoSecrets() {
        #expect(problems() == [])
        let all = Validator(snapshot: SampleConfig.snapshot()).validateAll()
        #expect(!all.isEmpty && all.allSatisfy { $0.message.contains("plain text under an encrypted level") })
    }

    @Test func brokenJSONNamesLineAndColumn() {
        let file = RepoFile(path: "zones/zone-broken.json", blob: SampleConfig.blob("b"), bytes: Array("{\n  \"name\": \"x\",\n}\n".utf8))
        #expect(problems(rawFiles: [file]) == ["zones/zone-broken.json: line 3, column 1: invalid JSON: trailing comma before '}'"])
    }

    @Test func aFileMustHoldAnObject() {
        let file = RepoFile(path: "zones/zone-list.json", blob: SampleConfig.blob("l"), bytes: Array("[]\n".utf8))
        #expect(problems(rawFiles: [file]) == ["zones/zone-list.json: the file must hold a JSON object, found array"])
    }

    @Test func fileNamesMustBeIDsOfTheirKind() {
        let file = RepoFile(path: "systems/room-1.json", blob: SampleConfig.blob("r"), bytes: Array("{}\n".utf8))
        let found = problems(rawFiles: [file])
        #expect(found.count == 1)
        #expect(found[0].hasPrefix("systems/room-1.json: \"room-1\" is not a valid system id: it must start with \"sys-\""))
    }

    @Test func idInsideTheFileMustMatchItsName() {
        let found = problems(edited("zones/zone-hp-l1.json") { $0["id"] = "zone-other" })
        #expect(found == ["zones/zone-hp-l1.json: id: the id inside the file must match the file name \"zone-hp-l1\""])
    }

    @Test func requiredFieldsAndWrongTypes() {
        let found = problems(edited("systems/sys-l2-ferry.json") {
            $0["name"] = nil
            $0["capacity"] = "ten"
            $0["bookable"] = 1
            $0["features"] = ["vc", 3]
        })
        #expect(found == [
            "systems/sys-l2-ferry.json: bookable: must be true or false, found number 1",
            "systems/sys-l2-ferry.json: capacity: must be a whole number, found string \"ten\"",
            "systems/sys-l2-ferry.json: features[1]: must be a string, found number 3",
            "systems/sys-l2-ferry.json: name: is required",
        ])
    }

    @Test func enumsAndRanges() {
        var edits = edited("drivers/driver-pjlink-projector.json") { $0["role"] = 7 }
        edits.merge(edited("modules/mod-l2-ferry-projector.json") { $0["port"] = 70000 }) { $1 }
        edits.merge(edited("repositories/repo-bundled.json") { $0["repo_type"] = "plugin" }) { $1 }
        let found = problems(edits)
        #expect(found.contains("drivers/driver-pjlink-projector.json: role: must be one of 0 (SSH), 1 (Device), 2 (Service), 3 (Websocket), 99 (Logic), found number 7"))
        #expect(found.contains("modules/mod-l2-ferry-projector.json: port: must be from 1 to 65535, found 70000"))
        #expect(found.contains("repositories/repo-bundled.json: repo_type: must be one of \"driver\", \"interface\", found string \"plugin\""))
    }

    @Test func danglingReferences() {
        var edits = edited("systems/sys-l2-ferry.json") { $0["zones"] = ["zone-harbourpoint", "zone-gone"] }
        edits.merge(edited("modules/mod-l2-ferry-hvac.json") { $0["driver_id"] = "driver-gone" }) { $1 }
        let found = problems(edits)
        #expect(found.contains("systems/sys-l2-ferry.json: zones[1]: refers to zone \"zone-gone\", which does not exist"))
        #expect(found.contains("modules/mod-l2-ferry-hvac.json: driver_id: refers to driver \"driver-gone\", which does not exist"))
    }

    @Test func deletingAReferencedObjectBreaksItsReferrers() {
        let found = problems(["triggers/trigger-vacant-hvac-standby.json": nil])
        #expect(found == ["zones/zone-hp-tower.json: triggers[0]: refers to trigger \"trigger-vacant-hvac-standby\", which does not exist"])
    }

    @Test func duplicatesInOrderedLists() {
        let found = problems(edited("systems/sys-l2-ferry.json") { $0["zones"] = ["zone-hp-l2", "zone-hp-l2"] })
        #expect(found.contains("systems/sys-l2-ferry.json: zones[1]: \"zone-hp-l2\" is listed more than once"))
    }

    @Test func zoneParentCycles() {
        var edits = edited("zones/zone-hp-tower.json") { $0["parent_id"] = "zone-hp-l1" }
        let selfParent = edited("zones/zone-hp-l3.json") { $0["parent_id"] = "zone-hp-l3" }
        edits.merge(selfParent) { $1 }
        let found = problems(edits)
        #expect(found.contains("zones/zone-hp-tower.json: parent_id: zone parents form a cycle: zone-hp-tower → zone-hp-l1 → zone-hp-tower"))
        #expect(found.contains("zones/zone-hp-l1.json: parent_id: zone parents form a cycle: zone-hp-l1 → zone-hp-tower → zone-hp-l1"))
        #expect(found.contains("zones/zone-hp-l3.json: parent_id: a zone cannot be its own parent"))
    }

    @Test func uniqueNamesEmailsAndHosts() {
        var edits = edited("systems/sys-l2-ferry.json") { $0["name"] = "L3 BOARDROOM" }
        edits.merge(edited("zones/zone-hp-l2.json") { $0["name"] = SampleConfig.members("zones/zone-hp-l1.json")["name"]! }) { $1 }
        edits.merge(edited("users/user-support.json") { $0["email"] = "ADMIN@harbourpoint.example" }) { $1 }
        let found = problems(edits)
        #expect(found.contains("systems/sys-l2-ferry.json: name: \"L3 BOARDROOM\" is already used by system \"sys-l3-boardroom\""))
        #expect(found.contains("systems/sys-l3-boardroom.json: name: \"L3 Boardroom\" is already used by system \"sys-l2-ferry\""))
        #expect(found.contains { $0.hasPrefix("zones/zone-hp-l2.json: name: ") && $0.contains("already used by zone \"zone-hp-l1\"") })
        #expect(found.contains { $0.hasPrefix("users/user-support.json: email: ") && $0.contains("in authority-harbourpoint by user \"user-admin\"") })
    }

    @Test func deviceModulesNeedAnAddress() {
        let found = problems(edited("modules/mod-l2-ferry-projector.json") {
            $0["ip"] = nil
            $0["udp"] = true
            $0["tls"] = true
        })
        #expect(found.contains("modules/mod-l2-ferry-projector.json: ip: is required for a module of a Device driver"))
        #expect(found.contains("modules/mod-l2-ferry-projector.json: tls: cannot be true together with udp"))
    }

    @Test func logicModulesBelongToExactlyOneSystem() {
        var edits = edited("modules/mod-l2-ferry-logic.json") { $0["control_system_id"] = nil }
        edits.merge(edited("systems/sys-l2-jetty.json") { members in
            members["modules"] = .array((members["modules"]!.arrayValue ?? []) + ["mod-l2-lighthouse-logic"])
        }) { $1 }
        let found = problems(edits)
        #expect(found.contains("modules/mod-l2-ferry-logic.json: control_system_id: is required for a logic module (driver \"Room Logic\")"))
        #expect(found.contains("modules/mod-l2-lighthouse-logic.json: a logic module belongs to exactly one system, but \"sys-l2-jetty\" also list it"))
    }

    @Test func logicModuleMustBeListedByItsSystem() {
        let found = problems(edited("systems/sys-l2-ferry.json") { members in
            members["modules"] = .array((members["modules"]!.arrayValue ?? []).filter { $0 != "mod-l2-ferry-logic" })
        })
        #expect(found == ["modules/mod-l2-ferry-logic.json: control_system_id: the logic module must be listed in the modules of system \"sys-l2-ferry\""])
    }

    @Test func onlyLogicModulesHaveAControlSystem() {
        let found = problems(edited("modules/mod-l2-ferry-hvac.json") { $0["control_system_id"] = "sys-l2-ferry" })
        #expect(found.count == 1)
        #expect(found[0].hasPrefix("modules/mod-l2-ferry-hvac.json: control_system_id: only logic modules belong to a system this way"))
    }

    @Test func malformedSettingsLevels() {
        let found = problems(edited("zones/zone-hp-l2.json") {
            $0["settings"] = ["none": ["a": 1], "secret": [:], "admin": "x"]
        })
        #expect(found.contains { $0.hasPrefix("zones/zone-hp-l2.json: settings.secret: unknown settings level \"secret\"") })
        #expect(found.contains { $0.hasPrefix("zones/zone-hp-l2.json: settings.admin: the \"admin\" level must be an object") })
    }

    @Test func plainTextUnderAnEncryptedLevel() {
        let snapshot = SampleConfig.snapshot(edited("zones/zone-hp-l2.json") { $0["settings"] = ["support": ["pin": "1234"]] })
        let found = Validator(snapshot: snapshot).validateAll().map(\.description)
        #expect(found.contains { $0.hasPrefix("zones/zone-hp-l2.json: settings.support.pin: plain text under an encrypted level") })
    }

    @Test func secretFieldsMustBeEnvelopes() {
        let found = problems(edited("repositories/repo-bundled.json") { $0["password"] = "hunter2" })
        #expect(found.count == 1)
        #expect(found[0].hasPrefix("repositories/repo-bundled.json: password: must be an encrypted value (enc:v1:…)"))
    }

    @Test func mapsReferencedButMissing() {
        let found = problems(["maps/level-2.svg": nil])
        #expect(found.contains("zones/zone-hp-l2.json: map_id: names the map \"maps/level-2.svg\", which does not exist"))
    }

    @Test func systemMapIDMustBeAnElementOfItsLevelMap() {
        let found = problems(edited("systems/sys-l2-ferry.json") { $0["map_id"] = "room-nowhere" })
        #expect(found == ["systems/sys-l2-ferry.json: map_id: no element with id \"room-nowhere\" in the map of its zones (maps/level-2.svg)"])
    }

    @Test func driversComeFromDriverRepositories() {
        let found = problems(edited("repositories/repo-bundled.json") { $0["repo_type"] = "interface" })
        #expect(found.contains { $0.contains("drivers/driver-pjlink-projector.json: repository_id: repository \"repo-bundled\" is an interface repository") })
    }

    @Test func triggerStructure() {
        let found = problems(edited("triggers/trigger-vacant-hvac-standby.json") {
            $0["conditions"] = ["comparisons": [["left": ["mod": "Occupancy 1", "status": "people"], "operator": "about", "right": 0]],
                                "time_dependents": [["type": "cron", "cron": "* * *"]]]
            $0["actions"] = ["functions": [["mod": "HVAC_1"]], "mailers": [["emails": ["nobody"]]]]
        })
        let path = "triggers/trigger-vacant-hvac-standby.json"
        #expect(found.contains { $0.hasPrefix("\(path): conditions.comparisons[0].operator: must be one of and, or") })
        #expect(found.contains("\(path): conditions.time_dependents[0].cron: expected 5 fields (minute hour day month weekday), got 3 in \"* * *\""))
        #expect(found.contains("\(path): actions.functions[0].method: is required"))
        #expect(found.contains("\(path): actions.mailers[0].emails[0]: must be an email address, found string \"nobody\""))
    }

    @Test func metadataMatchesItsSchema() {
        let found = problems(edited("metadata/zone-hp-tower/features.json") { members in
            var details = members["details"]!.objectValue!
            details["desk_booking"] = "yes"
            details["teleporter"] = true
            members["details"] = .object(details)
        })
        #expect(found.contains("metadata/zone-hp-tower/features.json: details.desk_booking: must be of type boolean, found string \"yes\""))
        #expect(found.contains { $0.hasPrefix("metadata/zone-hp-tower/features.json: details.teleporter: is not allowed by the schema") })
    }

    @Test func metadataNeedsAnExistingParentAndItsOwnName() {
        var members = SampleConfig.members("metadata/zone-hp-tower/features.json")
        members["name"] = "other"
        let found = problems(["metadata/zone-gone/features.json": members])
        #expect(found.contains("metadata/zone-gone/features.json: belongs to zone \"zone-gone\", which does not exist"))
        #expect(found.contains("metadata/zone-gone/features.json: name: must match the file name \"features\", found \"other\""))
    }

    @Test func incrementalValidationFindsWhatFullValidationFinds() {
        let base = SampleConfig.snapshot()
        let zone = ObjectRef(.zone, "zone-hp-l2")
        let candidate = base.replacing([zone: nil])
        let affected = Validator.affectedObjects(by: [zone], before: base, after: candidate)
        let incremental = Validator(snapshot: candidate).validate(affected).filter { !$0.message.contains("plain text under an encrypted level") }
        let full = Validator(snapshot: candidate).validateAll().filter { !$0.message.contains("plain text under an encrypted level") }
        #expect(!full.isEmpty)
        #expect(incremental == full)
    }
}

/// A file over its size limit is a problem and never decoded (issue 11, item 9).
@Suite struct FileLimitTests {
    @Test func anOversizedFileIsAProblemAndNotLoaded() {
        var system = SampleConfig.members("systems/sys-l2-ferry.json")
        system["description"] = .string(String(repeating: "x", count: FileLimits.objectFileBytes))
        let snapshot = SampleConfig.snapshot(["systems/sys-l2-ferry.json": system])
        #expect(snapshot.document(.system, "sys-l2-ferry") == nil)
        let problem = snapshot.unreadable["systems/sys-l2-ferry.json"]
        #expect(problem?.message.hasPrefix("the file is 1,04") == true && problem?.message.hasSuffix("the limit for an object file is 1 MiB") == true)
        #expect(Validator(snapshot: snapshot).validateAll().contains { $0.path == "systems/sys-l2-ferry.json" })
    }

    @Test func limitsAreNamedPerKindOfFileAndPerPush() {
        #expect(FileLimits.problem(path: "systems/sys-a.json", size: FileLimits.objectFileBytes) == nil)
        #expect(FileLimits.problem(path: "backoffice.json", size: FileLimits.objectFileBytes + 1) != nil)
        #expect(FileLimits.problem(path: "maps/level-1.svg", size: 2 << 20) == nil)
        #expect(FileLimits.problem(path: "maps/level-1.svg", size: FileLimits.mapFileBytes + 1)?.message.hasSuffix("a map is 8 MiB") == true)
        #expect(FileLimits.problem(path: "firmware.bin", size: 100 << 20)?.description
                == "firmware.bin: the file is 104,857,600 bytes; the limit for a file is 8 MiB")
        #expect(FileLimits.pushProblem(size: FileLimits.pushBytes) == nil)
        #expect(FileLimits.pushProblem(size: FileLimits.pushBytes + 1) == "the push adds 33,554,433 bytes; the limit for one push is 32 MiB")
    }
}
