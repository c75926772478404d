import Testing
@testable import ConfigRepo
@testable import SiteGen

private let snapshot = SampleConfig.snapshot(commit: "a")

@Test func aUniqueNameStandsForItsIdAndTickedPicksAreAddedInTreeOrder() {
    let fields = ObjectForm(kind: .system, role: .admin, box: nil).fields
    let inputs = ["name": "New room", "zones": "Harbour Point",
                  "zones.add.zone-hp-l1": "on", "zones.add.zone-hp-tower": "on", "driver": "x"]
    let (resolved, errors) = ReferencePicker.resolve(inputs, fields: fields, in: snapshot)
    #expect(errors.isEmpty)
    #expect(resolved["zones"] == "zone-harbourpoint\nzone-hp-tower\nzone-hp-l1", "the name became its id; parents before children")
    #expect(resolved["zones.add.zone-hp-l1"] == nil)
}

@Test func anAmbiguousNameIsRefusedNamingTheCandidates() {
    var twin = snapshot.document(.zone, "zone-hp-l2")!
    twin.members["name"] = "Harbour Point Tower Level 1"
    let doubled = SampleConfig.snapshot(commit: "b", ["zones/zone-hp-l2.json": twin.members])
    let fields = ObjectForm(kind: .system, role: .admin, box: nil).fields
    let (_, errors) = ReferencePicker.resolve(["zones": "harbour point tower level 1"], fields: fields, in: doubled)
    #expect(errors["zones"]?.contains("names 2 zones") == true)
    #expect(errors["zones"]?.contains("zone-hp-l1") == true)
}

@Test func aModulesDriverIsAcceptedByName() {
    let fields = ObjectForm(kind: .module, role: .admin, box: nil).fields
    let (resolved, errors) = ReferencePicker.resolve(["driver_id": "PJLink Projector"], fields: fields, in: snapshot)
    #expect(errors.isEmpty && resolved["driver_id"] == "driver-pjlink-projector")
}

@Test func theMapElementsOfALevelAreItsShapesWithTheSystemsLinkedToThem() throws {
    let level = try #require(MapElements.levels(in: snapshot).first { $0.zone.id == "zone-hp-l1" })
    let huddle = try #require(level.elements.first { $0.id == "room-l1-huddle" })
    #expect(huddle.system == "sys-l1-huddle")
    #expect(level.elements.contains { $0.id == "area-l1-cafe" })
    #expect(!level.elements.contains { $0.id == "rooms" }, "groups are not rooms")
}

@Test func functionFormsTurnTextIntoArgumentsOfTheirSchemaAndNameWhatIsWrong() throws {
    let form = FunctionCallForm(function: "set", arguments: [
        .init(name: "level", schema: ["type": "integer"], optional: false),
        .init(name: "on", schema: ["type": "boolean"], optional: false),
        .init(name: "input", schema: ["enum": ["HDMI1", "HDMI2"]], optional: true),
        .init(name: "label", schema: ["type": "string"], optional: true),
        .init(name: "extra", schema: [:], optional: true),
    ])
    let args = try form.arguments(from: ["arg.level": "40", "arg.on": "true", "arg.input": "HDMI2", "arg.extra": "[1, 2]"]).get()
    #expect(args == ["level": 40, "on": true, "input": "HDMI2", "extra": [1, 2]])
    #expect(try form.arguments(from: ["arg.level": "1"]).get() == ["level": 1, "on": false], "an unticked box is false, empty optionals left out")
    #expect(throws: FunctionCallError(argument: "level", message: "\"loud\" is not a number")) { try form.arguments(from: ["arg.level": "loud"]).get() }
    #expect(throws: FunctionCallError(argument: "level", message: "is required")) { try form.arguments(from: [:]).get() }
}
