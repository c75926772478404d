import Testing
@testable import ConfigRepo
@testable import SiteGen

private let sample = SampleConfig.snapshot(commit: "a")
private let room = sample.document(.system, "sys-l1-huddle")!

@Test func aMemberMovesToAPositionAndABadPositionIsRefused() throws {
    let move = try #require(SystemMembership(list: .modules, action: "move", memberID: "mod-l1-huddle-lighting", position: "1"))
    #expect(try move.apply(to: room, in: sample).get().strings("modules")
            == ["mod-l1-huddle-lighting", "mod-l1-huddle-logic", "mod-l1-huddle-occupancy", "mod-l1-huddle-hvac"])
    #expect(move.message(system: room, in: sample).hasSuffix("to position 1 in system \(ObjectLabels.name(room, in: sample))"))
    #expect(SystemMembership(list: .modules, action: "move", memberID: "mod-l1-huddle-hvac") == nil, "move needs a position")
    let far = SystemMembership(list: .modules, action: .move, memberID: "mod-l1-huddle-hvac", position: 9)
    if case .failure(let refusal) = far.apply(to: room, in: sample) { #expect(refusal.message == "position 9 is not between 1 and 4") } else { Issue.record("moved to 9") }
}

@Test func aSystemKeepsOneLogicModuleAndItsLogicCannotJustLeave() throws {
    let remove = SystemMembership(list: .modules, action: .remove, memberID: "mod-l1-huddle-logic")
    guard case .failure(let refusal) = remove.apply(to: room, in: sample) else { Issue.record("the logic module left"); return }
    #expect(refusal.message.contains("room logic module and belongs to it alone"))
    let other = try #require(sample.document(.module, "mod-l1-training-logic"))
    #expect(SystemMembership.logicRefusal(adding: other, to: room, in: sample)?.message.contains("a logic module belongs to one system") == true)
    var members = other.members
    members["control_system_id"] = "sys-l1-huddle"
    let fresh = ConfigDocument(ref: ObjectRef(.module, "mod-new-logic"), members: members)
    #expect(SystemMembership.logicRefusal(adding: fresh, to: room, in: sample)?.message.contains("already has a room logic module") == true)
}
