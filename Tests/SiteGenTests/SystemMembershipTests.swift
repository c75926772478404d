import Testing
@testable import ConfigRepo
@testable import SiteGen

private let snapshot = SampleConfig.snapshot(commit: "a")
private let huddle = snapshot.document(.system, "sys-l1-huddle")!

private func changed(_ list: SystemMembership.List, _ action: SystemMembership.Action, _ id: String) throws -> [String] {
    try SystemMembership(list: list, action: action, memberID: id).apply(to: huddle, in: snapshot).get().strings(list.member)
}

private func refusal(_ list: SystemMembership.List, _ action: SystemMembership.Action, _ id: String) -> String? {
    if case .failure(let refusal) = SystemMembership(list: list, action: action, memberID: id).apply(to: huddle, in: snapshot) {
        return refusal.message
    }
    return nil
}

@Test func modulesMoveAddAndRemoveKeepingTheRestInOrder() throws {
    #expect(try changed(.modules, .down, "mod-l1-huddle-logic")
            == ["mod-l1-huddle-occupancy", "mod-l1-huddle-logic", "mod-l1-huddle-hvac", "mod-l1-huddle-lighting"])
    #expect(try changed(.modules, .up, "mod-l1-huddle-lighting")
            == ["mod-l1-huddle-logic", "mod-l1-huddle-occupancy", "mod-l1-huddle-lighting", "mod-l1-huddle-hvac"])
    #expect(try changed(.modules, .remove, "mod-l1-huddle-hvac") == ["mod-l1-huddle-logic", "mod-l1-huddle-occupancy", "mod-l1-huddle-lighting"])
    #expect(try changed(.modules, .add, "mod-l1-training-display").last == "mod-l1-training-display")
}

@Test func zonesJoinLeaveAndReorder() throws {
    #expect(try changed(.zones, .add, "zone-hp-l2") == ["zone-harbourpoint", "zone-hp-tower", "zone-hp-l1", "zone-hp-l2"])
    #expect(try changed(.zones, .remove, "zone-hp-tower") == ["zone-harbourpoint", "zone-hp-l1"])
    #expect(try changed(.zones, .up, "zone-hp-l1") == ["zone-harbourpoint", "zone-hp-l1", "zone-hp-tower"])
}

@Test func impossibleChangesAreRefusedWithAReason() {
    #expect(refusal(.zones, .up, "zone-harbourpoint") == "zone zone-harbourpoint is already first")
    #expect(refusal(.modules, .down, "mod-l1-huddle-lighting") == "module mod-l1-huddle-lighting is already last")
    #expect(refusal(.zones, .add, "zone-hp-l1") == "zone zone-hp-l1 is already in this system")
    #expect(refusal(.zones, .add, "zone-nowhere") == "there is no zone zone-nowhere")
    #expect(refusal(.modules, .remove, "mod-l1-training-display") == "module mod-l1-training-display is not in this system")
    #expect(SystemMembership(list: .zones, action: "explode", memberID: "zone-hp-l1") == nil)
    #expect(SystemMembership(list: .zones, action: "leave", memberID: " ") == nil)
    #expect(SystemMembership(list: .zones, action: "join", memberID: "zone-hp-l2")?.action == .add)
}

@Test func commitMessagesSayWhatHappenedInWords() {
    let name = ObjectLabels.name(huddle, in: snapshot)
    #expect(SystemMembership(list: .zones, action: .add, memberID: "zone-hp-l2").message(system: huddle, in: snapshot)
            .hasPrefix("Put system \(name) in zone "))
    let move = SystemMembership(list: .modules, action: .up, memberID: "mod-l1-huddle-hvac").message(system: huddle, in: snapshot)
    #expect(move.hasPrefix("Move module ") && move.contains("(mod-l1-huddle-hvac)") && move.hasSuffix(" up in system \(name)"))
}

@Test func moduleFilterMatchesNameIPAndOnlineState() {
    let modules = snapshot.unordered(.module)
    func ids(_ filter: ModuleFilter, state: ModuleOnlineState = .configured) -> Set<String> {
        Set(modules.filter { filter.matches($0, in: snapshot, state: state) }.map(\.id))
    }
    #expect(ids(ModuleFilter(online: false)) == ["mod-l2-jetty-projector"])
    #expect(ids(ModuleFilter(name: "HUDDLE-hvac")) == ["mod-l1-huddle-hvac"])
    #expect(ids(ModuleFilter(ip: "10.250.")).isEmpty)
    #expect(ids(ModuleFilter(name: "huddle", ip: "127.0.0.1")).isSuperset(of: ["mod-l1-huddle-hvac", "mod-l1-huddle-lighting"]))
    // The online state comes from the plugged-in source, not from the file.
    let allOffline = ModuleOnlineState { _ in false }
    #expect(ids(ModuleFilter(online: true), state: allOffline).isEmpty)
    let parsed = ModuleFilter(query: { ["state": "offline", "ip": "  ", "name": "Beamer"][$0] })
    #expect(parsed == ModuleFilter(name: "Beamer", ip: nil, online: false))
    #expect(parsed.queryString == "name=Beamer&state=offline")
    #expect(ModuleFilter(query: { ["state": "running"][$0] }).online == true)
}
