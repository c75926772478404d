import Testing
@testable import ConfigRepo
@testable import SiteGen

private let stored: JSONValue = [["id": "trig-a1", "trigger_id": "trigger-a", "enabled": false, "webhook_secret": "enc:v1:sealed", "note": "kept"]]

@Test func triggerInstanceRowsRoundTripAndKeepWhatTheyDoNotShow() {
    let form = ObjectForm(kind: .system, role: .admin, box: nil)
    #expect(!form.fields.contains { $0.name == "triggers" })
    let system = ConfigDocument(ref: ObjectRef(.system, "sys-x"), members: ["name": "Room", "triggers": stored])
    let inputs = form.inputs(for: system)
    #expect(inputs["ti.0.trigger"] == "trigger-a")
    #expect(inputs["ti.0.enabled"] == nil)
    let decoded = form.decode(inputs.merging(["ti.1.trigger": "", "ti.1.enabled": "on"]) { old, _ in old }, onto: system)
    #expect(decoded.errors.isEmpty)
    #expect(decoded.document["triggers"] == stored)
}

@Test func triggerInstanceRowsAddSwitchAndRemove() {
    let form = ObjectForm(kind: .system, role: .admin, box: nil)
    let system = ConfigDocument(ref: ObjectRef(.system, "sys-x"), members: ["name": "Room", "triggers": stored])
    // Row 0 switched on (the stored false is written as true), a new row with defaults only.
    let added = form.decode(["name": "Room", "ti.0.trigger": "trigger-a", "ti.0.enabled": "on",
                             "ti.1.trigger": "trigger-b", "ti.1.enabled": "on", "ti.1.exec_enabled": "on"], onto: system)
    #expect(added.errors.isEmpty)
    #expect(added.document["triggers"] == [["id": "trig-a1", "trigger_id": "trigger-a", "enabled": true, "webhook_secret": "enc:v1:sealed", "note": "kept"],
                                           ["trigger_id": "trigger-b", "exec_enabled": true]])
    // "—" on every row removes the member.
    let removed = form.decode(["name": "Room", "ti.0.trigger": "", "ti.0.enabled": "on"], onto: system)
    #expect(removed.document["triggers"] == nil)
    // A form without rows (another client) leaves the member alone.
    #expect(form.decode(["name": "Room"], onto: system).document["triggers"] == stored)
}

@Test func triggerInstanceRowsRefuseATriggerTwiceAndPlaceProblems() {
    let form = ObjectForm(kind: .system, role: .admin, box: nil)
    let system = ConfigDocument(ref: ObjectRef(.system, "sys-x"), members: ["name": "Room"])
    let decoded = form.decode(["name": "Room", "ti.0.trigger": "trigger-b", "ti.1.trigger": "trigger-b"], onto: system)
    #expect(decoded.errors["ti.1.trigger"]?.contains("already in row 1") == true)
    #expect(form.inputName(for: "triggers[3].trigger_id") == "ti.3.trigger")
}
