import Testing
import TestSupport
@testable import ConfigRepo

private let sample = SampleConfig.snapshot()

@Test func aNewObjectsIdIsReadFromItsNameWithoutAccentsOrPunctuation() {
    #expect(IdentifierRules.slug(["L1 Café", "Display"]) == "l1-cafe-display")
    #expect(IdentifierRules.slug(["  Ground — Reception & Lobby!! "]) == "ground-reception-lobby")
    #expect(IdentifierRules.slug(["日本"]) == "", "nothing readable is left: a random id instead")
    let long = IdentifierRules.slug([String(repeating: "harbour point ", count: 10)])
    #expect(long.count <= 48 && !long.hasSuffix("-") && long.hasPrefix("harbour-point-"))
    let system = ConfigDocument(ref: ObjectRef(.system, "sys-x"), members: ["name": "L1 Café"])
    #expect(sample.readableID(for: system) == "sys-l1-cafe")
    #expect(IdentifierRules.isValidID("sys-l1-cafe", of: .system))
}

@Test func aModulesIdIsItsSystemsNameAndItsOwn() {
    let display = ConfigDocument(ref: ObjectRef(.module, "mod-x"), members: ["driver_id": "driver-pjlink-projector", "custom_name": "Display"])
    #expect(sample.readableID(for: display, system: "sys-l1-huddle") == "mod-l1-huddle-room-display")
    let unnamed = ConfigDocument(ref: ObjectRef(.module, "mod-x"), members: ["driver_id": "driver-lutron-lighting",
                                                                            "control_system_id": "sys-l1-wharf"])
    #expect(sample.readableID(for: unnamed)?.hasPrefix("mod-l1-wharf") == true, "the driver's module name when there is no custom name")
}

@Test func aNameSomeoneHasGivesNoReadableIdSoARandomOneIsUsed() throws {
    let huddle = try #require(sample.document(.system, "sys-l1-huddle"))
    let twin = ConfigDocument(ref: ObjectRef(.system, "sys-x"), members: ["name": .string(huddle.displayName)])
    let taken = try #require(sample.readableID(for: twin))
    let again = SampleConfig.snapshot(commit: "b", ["systems/\(taken).json": ["name": .string(huddle.displayName)]])
    #expect(again.readableID(for: twin) == nil)
    let random = IdentifierRules.newID(for: .system, named: [huddle.displayName], taken: { _ in true })
    #expect(random.hasPrefix("sys-") && random.count == 14)
}
