import ConfigRepo
import Testing
@testable import Runtime

@Suite struct ApplyPlannerTests {
    func plan(_ edits: [String: [String: JSONValue]?]) -> [ApplyAction] {
        let old = SampleConfig.snapshot()
        let new = SampleConfig.snapshot(edits)
        let resolver = FixedResolver()
        return ApplyPlanner.plan(old: ModuleSpec.all(in: old, resolver: resolver, box: SampleSecrets.box),
                                 new: ModuleSpec.all(in: new, resolver: resolver, box: SampleSecrets.box),
                                 oldDirectory: SystemDirectory(snapshot: old), newDirectory: SystemDirectory(snapshot: new))
    }

    @Test func theSameConfigurationDoesNothing() {
        #expect(plan([:]).isEmpty)
    }

    @Test func aPortChangeReconnectsOnlyThatModule() {
        var module = SampleConfig.members("modules/mod-l1-huddle-hvac.json")
        module["port"] = 16000
        #expect(plan(["modules/mod-l1-huddle-hvac.json": module]) == [.reconnect("mod-l1-huddle-hvac")])
    }

    @Test func everyConnectionFieldReconnects() {
        for (field, value) in [("ip", JSONValue.string("127.0.0.2")), ("tls", true), ("udp", true), ("makebreak", true)] {
            var module = SampleConfig.members("modules/mod-l1-huddle-hvac.json")
            module[field] = value
            #expect(plan(["modules/mod-l1-huddle-hvac.json": module]) == [.reconnect("mod-l1-huddle-hvac")], "\(field)")
        }
    }

    @Test func moduleSettingsUpdateOnlyThatModule() {
        var module = SampleConfig.members("modules/mod-l1-huddle-hvac.json")
        module["settings"] = ["none": ["comfort_setpoint": 21]]
        #expect(plan(["modules/mod-l1-huddle-hvac.json": module]) == [.update("mod-l1-huddle-hvac")])
    }

    @Test func driverSettingsUpdateExactlyItsModules() {
        var driver = SampleConfig.members("drivers/driver-modbus-hvac.json")
        driver["settings"] = ["none": ["comfort_setpoint": 20, "standby_setpoint": 26, "unit_id": 1]]
        let actions = plan(["drivers/driver-modbus-hvac.json": driver])
        let expected = SampleConfig.snapshot().modules(ofDriver: "driver-modbus-hvac").map(ApplyAction.update)
        #expect(!expected.isEmpty)
        #expect(actions == expected)
    }

    @Test func aZoneSettingReachesOnlyLogicModulesOfItsSystems() {
        let snapshot = SampleConfig.snapshot()
        var zone = SampleConfig.members("zones/zone-hp-l1.json")
        zone["settings"] = ["none": ["vacancy_minutes": 1]]
        let actions = plan(["zones/zone-hp-l1.json": zone])
        let expected = snapshot.systems(inZone: "zone-hp-l1").flatMap { snapshot.logicModules(ofSystem: $0) }.sorted()
        #expect(!expected.isEmpty)
        #expect(actions == expected.map(ApplyAction.update))
    }

    @Test func reorderingASystemRemapsItWithoutTouchingModules() {
        var system = SampleConfig.members("systems/sys-l1-huddle.json")
        system["modules"] = .array((system["modules"]!.arrayValue!).reversed())
        #expect(plan(["systems/sys-l1-huddle.json": system]) == [.remap(system: "sys-l1-huddle")])
    }

    @Test func runningFalseStopsAndTrueStartsAgain() {
        var module = SampleConfig.members("modules/mod-l1-huddle-hvac.json")
        module["running"] = false
        #expect(plan(["modules/mod-l1-huddle-hvac.json": module]) == [.stop("mod-l1-huddle-hvac")])
        let stopped = SampleConfig.snapshot(["modules/mod-l1-huddle-hvac.json": module])
        let resolver = FixedResolver()
        let restart = ApplyPlanner.plan(old: ModuleSpec.all(in: stopped, resolver: resolver, box: SampleSecrets.box),
                                        new: ModuleSpec.all(in: SampleConfig.snapshot(), resolver: resolver, box: SampleSecrets.box),
                                        oldDirectory: SystemDirectory(snapshot: stopped),
                                        newDirectory: SystemDirectory(snapshot: SampleConfig.snapshot()))
        #expect(restart == [.start("mod-l1-huddle-hvac")])
    }

    @Test func newAndDeletedModulesStartAndStop() {
        var system = SampleConfig.members("systems/sys-l1-huddle.json")
        system["modules"] = ["mod-l1-huddle-logic", "mod-l1-huddle-occupancy", "mod-l1-huddle-lighting", "mod-new-hvac"]
        let actions = plan([
            "modules/mod-new-hvac.json": ["driver_id": "driver-modbus-hvac", "ip": "127.0.0.1", "port": 15999],
            "modules/mod-l1-huddle-hvac.json": nil,
            "systems/sys-l1-huddle.json": system,
        ])
        #expect(actions.contains(.start("mod-new-hvac")))
        #expect(actions.contains(.stop("mod-l1-huddle-hvac")))
        #expect(actions.contains(.remap(system: "sys-l1-huddle")))
        #expect(actions.count == 3)
    }

    @Test func changingTheDriverRestartsInAnotherProcess() {
        var module = SampleConfig.members("modules/mod-l1-huddle-lighting.json")
        module["driver_id"] = "driver-modbus-hvac"
        let actions = plan(["modules/mod-l1-huddle-lighting.json": module])
        #expect(actions.first == .restart("mod-l1-huddle-lighting"))
    }
}

@Suite struct SystemDirectoryTests {
    @Test func indexesCountPerNameInSystemOrder() {
        let directory = SystemDirectory(snapshot: SampleConfig.snapshot())
        #expect(directory.module(system: "sys-l1-huddle", name: "HVAC", index: 1) == "mod-l1-huddle-hvac")
        #expect(directory.module(system: "sys-l1-huddle", name: "HVAC", index: 2) == nil)
        #expect(directory.module(system: "sys-nope", name: "HVAC", index: 1) == nil)
    }

    @Test func customNamesAndRepeatsCountSeparately() {
        var system = SampleConfig.members("systems/sys-l1-huddle.json")
        system["modules"] = ["mod-l1-huddle-hvac", "mod-l1-interview-hvac", "mod-l1-huddle-lighting"]
        var lighting = SampleConfig.members("modules/mod-l1-huddle-lighting.json")
        lighting["custom_name"] = "HVAC"
        let directory = SystemDirectory(snapshot: SampleConfig.snapshot([
            "systems/sys-l1-huddle.json": system, "modules/mod-l1-huddle-lighting.json": lighting]))
        #expect(directory.module(system: "sys-l1-huddle", name: "HVAC", index: 2) == "mod-l1-interview-hvac")
        #expect(directory.module(system: "sys-l1-huddle", name: "HVAC", index: 3) == "mod-l1-huddle-lighting")
    }

    @Test func parsesNameIndex() {
        #expect(SystemDirectory.parse("Display_2") == ("Display", 2))
        #expect(SystemDirectory.parse("Display") == ("Display", 1))
        #expect(SystemDirectory.parse("Left_Display") == ("Left_Display", 1))
        #expect(SystemDirectory.parse("Left_Display_3") == ("Left_Display", 3))
        #expect(SystemDirectory.parse("Display_0") == ("Display_0", 1))
    }
}
