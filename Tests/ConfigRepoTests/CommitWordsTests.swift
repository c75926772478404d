import Testing
@testable import ConfigRepo

@Test func aModuleAddedToASystemIsSaidInWordsAndCountsAreSingularWhereOne() {
    let module = ConfigDocument(ref: ObjectRef(.module, "mod-l1-cafe-display"), members: ["driver_id": "d", "custom_name": "Display"])
    let old = ConfigDocument(ref: ObjectRef(.system, "sys-cafe"), members: ["name": "L1 Café", "modules": ["mod-a"]])
    var new = old
    new.members["modules"] = ["mod-a", "mod-l1-cafe-display"]
    let message = CommitMessage.describe([.init(ref: module.ref, old: nil, new: module), .init(ref: old.ref, old: old, new: new)])
    #expect(message?.hasPrefix("add module \"Display\" to \"L1 Café\"\n\n") == true, "\(message ?? "")")
    var renamed = new
    renamed.members["name"] = "Café"
    let other = CommitMessage.describe([.init(ref: module.ref, old: nil, new: module), .init(ref: old.ref, old: old, new: renamed)])
    #expect(other?.hasPrefix("change 1 system, 1 module") == true, "\(other ?? "")")
}
