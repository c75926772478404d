import Testing
@testable import ConfigRepo
@testable import SiteGen

@Test func triggerRowsRoundTripTheSampleTrigger() throws {
    let members = SampleConfig.members("triggers/" + (SampleConfig.files().keys.first { $0.hasPrefix("triggers/") }!.dropFirst("triggers/".count)))
    let trigger = ConfigDocument(ref: ObjectRef(.trigger, "trigger-x"), members: members)
    let form = ObjectForm(kind: .trigger, role: .admin, box: nil)
    let inputs = form.inputs(for: trigger)
    #expect(inputs["cmp.0.left"]?.contains("_1.") == true)
    let decoded = form.decode(inputs, onto: trigger)
    #expect(decoded.errors.isEmpty)
    #expect(decoded.document["conditions"] == trigger["conditions"])
    #expect(decoded.document["actions"] == trigger["actions"])
}

@Test func triggerRowsAddAndReportErrorsPerCell() {
    let form = ObjectForm(kind: .trigger, role: .admin, box: nil)
    let base = ConfigDocument(ref: ObjectRef(.trigger, "trigger-x"), members: ["name": "T", "actions": ["webhooks": [["url": "https://x.example"]]]])
    let decoded = form.decode([
        "name": "T",
        "cmp.0.left": "Display_1.power", "cmp.0.operator": "equal", "cmp.0.right": "true",
        "cmp.1.left": "", "cmp.1.operator": "", "cmp.1.right": "",
        "td.0.type": "for", "td.0.value": "soon",
        "fn.0.mod": "Display_1", "fn.0.method": "power", "fn.0.args": "{\"state\": tru}",
        "mail.0.emails": "a@example.com, b@example.com", "mail.0.content": "Hi",
    ], onto: base)
    #expect(decoded.errors["td.0.value"] == "must be a number of seconds")
    #expect(decoded.errors["fn.0.args"]?.hasPrefix("invalid JSON at line 1, column") == true)
    #expect(decoded.document["conditions"]?["comparisons"] == [["left": ["mod": "Display_1", "status": "power", "keys": []], "operator": "equal", "right": true]])
    #expect(decoded.document["actions"]?["mailers"] == [["emails": ["a@example.com", "b@example.com"], "content": "Hi"]])
    #expect(decoded.document["actions"]?["webhooks"] != nil)
    #expect(form.inputName(for: "conditions.comparisons[0].left.mod") == "cmp.0.left")
    #expect(form.inputName(for: "conditions.time_dependents[2].seconds") == "td.2.value")
}
