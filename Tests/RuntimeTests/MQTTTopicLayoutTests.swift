import ConfigRepo
import Testing
@testable import Runtime

@Suite struct MQTTTopicLayoutTests {
    func layout(_ edits: [String: [String: JSONValue]?] = [:]) -> MQTTTopicLayout {
        let snapshot = SampleConfig.snapshot(edits)
        return MQTTTopicLayout(snapshot: snapshot, directory: SystemDirectory(snapshot: snapshot))
    }

    @Test func stateTopicsFollowTheZoneHierarchyWithUnderscoresForMissingLevels() {
        let topics = layout()
        #expect(topics.stateTopics["mod-l1-huddle-hvac"]
            == ["placeos/zone-harbourpoint/state/_/zone-hp-tower/zone-hp-l1/_/sys-l1-huddle/driver-modbus-hvac/HVAC/1"])
        #expect(topics.stateTopics["mod-l3-boardroom-projector-east"]?.first?.hasSuffix("/sys-l3-boardroom/driver-pjlink-projector/Projector/2") == true)
        #expect(MQTTTopicLayout.stateTopic(prefix: "p", status: "power") == "p/power")
        #expect(topics.unpublishable.isEmpty)
    }

    @Test func onlySystemsUnderAnOrgZoneArePublished() {
        var system = SampleConfig.members("systems/sys-l1-huddle.json")
        system["zones"] = ["zone-hp-tower", "zone-hp-l1"]
        let topics = layout(["systems/sys-l1-huddle.json": system])
        #expect(topics.stateTopics["mod-l1-huddle-hvac"] == nil)
        #expect(topics.metadata["placeos/zone-harbourpoint/metadata/sys-l1-huddle"] == nil)
        #expect(topics.stateTopics["mod-l1-wharf-hvac"] != nil)
    }

    @Test func aZoneTagAndANewZoneMoveTheTopics() {
        var zone = SampleConfig.members("zones/zone-hp-l1.json")
        zone["tags"] = ["area"]
        let topics = layout(["zones/zone-hp-l1.json": zone])
        #expect(topics.stateTopics["mod-l1-huddle-hvac"]
            == ["placeos/zone-harbourpoint/state/_/zone-hp-tower/_/zone-hp-l1/sys-l1-huddle/driver-modbus-hvac/HVAC/1"])
    }

    @Test func aModuleNameThatIsNotATopicLevelIsReportedNotPublished() {
        var module = SampleConfig.members("modules/mod-l1-huddle-hvac.json")
        module["custom_name"] = "HVAC/North"
        let topics = layout(["modules/mod-l1-huddle-hvac.json": module])
        #expect(topics.stateTopics["mod-l1-huddle-hvac"] == nil)
        #expect(topics.unpublishable["mod-l1-huddle-hvac"] == "its name \"HVAC/North\" cannot be a topic level: it contains \"/\"")
        #expect(MQTTTopicLayout.levelProblem("power+") == "it contains the wildcard \"+\"")
        #expect(MQTTTopicLayout.levelProblem("") == "it is empty")
        #expect(MQTTTopicLayout.levelProblem("level_1") == nil)
    }

    @Test func metadataCarriesSystemsZonesAndDriversWithoutSettings() throws {
        let topics = layout()
        let system = try #require(topics.metadata["placeos/zone-harbourpoint/metadata/sys-l3-boardroom"])
        let parsed = try JSONParser.parse(system)
        #expect(parsed["id"] == "sys-l3-boardroom")
        #expect(parsed["name"] != nil)
        #expect(parsed["settings"] == nil)
        #expect(parsed["triggers"]?.arrayValue?.allSatisfy { $0["webhook_secret"] == nil } == true)
        #expect(topics.metadata["placeos/zone-harbourpoint/metadata/zone-hp-l2"] != nil)
        #expect(topics.metadata["placeos/zone-harbourpoint/metadata/zone-harbourpoint"] != nil)
        let driver = try JSONParser.parse(#require(topics.metadata["placeos/zone-harbourpoint/metadata/driver-pjlink-projector"]))
        #expect(driver["settings"] == nil)   // the projector password lives there
        #expect(driver["module_name"] == "Projector")
    }
}
