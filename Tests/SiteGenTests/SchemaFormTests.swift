import Testing
@testable import ConfigRepo
@testable import SiteGen

private let schema: JSONValue = [
    "type": "object", "additionalProperties": false, "required": ["desk_booking", "floor"],
    "properties": [
        "desk_booking": ["type": "boolean", "title": "Desk booking", "description": "Lets people book desks."],
        "floor": ["type": "integer", "minimum": 1],
        "ratio": ["type": "number"],
        "label": ["type": "string", "maxLength": 8],
        "mode": ["enum": ["eco", "comfort", 3]],
        "rooms": ["type": "array", "items": ["type": "string"]],
        "either": ["type": ["string", "null"]],
    ],
]

private func flag(_ value: TemplateValue?) -> Bool { if case .bool(let on)? = value { on } else { false } }
private func text(_ value: TemplateValue?) -> String? { if case .string(let text)? = value { text } else { nil } }

@Test func schemaFormPicksAControlPerPropertyType() throws {
    let form = try #require(SchemaForm(schema: schema))
    let controls = Dictionary(uniqueKeysWithValues: form.fields.map { ($0.property, $0.control) })
    #expect(controls == ["desk_booking": .checkbox, "floor": .integer, "ratio": .number, "label": .text,
                         "mode": .choice(["eco", "comfort", 3]), "rooms": .json, "either": .text])
    #expect(form.fields.map(\.property) == ["desk_booking", "either", "floor", "label", "mode", "ratio", "rooms"])
    let toggle = try #require(form.fields.first { $0.property == "desk_booking" })
    #expect(toggle.label == "Desk booking" && toggle.hint == "Lets people book desks." && toggle.required && toggle.inputName == "details.desk_booking")
    #expect(SchemaForm(schema: ["type": "object"]) == nil)  // no properties: the JSON editor alone
    // The template values: a checkbox, a select with the enum's values, a JSON text area.
    let values = form.fieldValues(inputs: ["details.desk_booking": "on", "details.mode": "3"], errors: [:])
    #expect(flag(values[0]["isCheckbox"]) && flag(values[0]["checked"]))
    let mode = try #require(values.first { text($0["name"]) == "details.mode" })
    #expect(flag(mode["isSelect"]))
    guard case .list(let options)? = mode["options"] else { Issue.record("no options"); return }
    #expect(options.count == 4)
    #expect(options.filter { flag($0["selected"]) }.map { text($0["value"]) } == ["3"])
    #expect(flag(values.first { text($0["name"]) == "details.rooms" }?["isJSON"]))
}

@Test func schemaFormRoundTripsAndKeepsMembersItDoesNotShow() throws {
    let form = try #require(SchemaForm(schema: ["type": "object", "properties": ["on": ["type": "boolean"], "n": ["type": "number"]]]))
    let details: JSONValue = ["on": true, "n": .number("2.5"), "other": ["kept": 1]]
    let inputs = form.inputs(for: details)
    #expect(inputs == ["details.on": "on", "details.n": "2.5"])
    let decoded = form.decode(inputs, onto: details)
    #expect(decoded.errors.isEmpty && decoded.general.isEmpty)
    #expect(decoded.details == details)
    // An unticked checkbox is false, an emptied input removes its member.
    #expect(form.decode([:], onto: details).details == ["on": false, "other": ["kept": 1]])
}

@Test func schemaFormPutsEachProblemBesideItsInput() throws {
    let form = try #require(SchemaForm(schema: schema))
    let typed = form.decode(["details.floor": "two", "details.rooms": "[\"a\",", "details.ratio": "1,5"], onto: nil)
    #expect(typed.errors["details.floor"] == "must be a whole number, not “two”")
    #expect(typed.errors["details.rooms"]?.hasPrefix("invalid JSON at line 1, column") == true)
    #expect(typed.errors["details.ratio"] == "must be a number, not “1,5”")
    let checked = form.decode(["details.floor": "0", "details.label": "far too long", "details.rooms": "[1]"], onto: ["extra": true])
    #expect(checked.errors["details.floor"] == "must be at least 1")
    #expect(checked.errors["details.label"] == "must be at most 8 characters long")
    #expect(checked.errors["details.rooms"] == "[0]: must be of type string, found a number" || checked.errors["details.rooms"]?.hasPrefix("[0]") == true)
    #expect(checked.general.contains { $0.hasPrefix("extra: is not allowed by the schema") })
}

@Test func metadataEditorChecksJSONAndSchemaAndKeepsTheRest() throws {
    let snapshot = SampleConfig.snapshot()
    let editor = MetadataEditor(snapshot: snapshot, parent: ObjectRef(.zone, "zone-hp-tower"), name: "features", mayChangeSchema: false)
    let stored = try #require(editor.stored)
    #expect(editor.schemaForm(of: stored) != nil)
    var inputs = editor.inputs(for: stored)
    #expect(inputs["details.booking_panels"] == "on")
    inputs["details"] = "{\"booking_panels\": true,\n \"desk_booking\": tru}"
    let bad = editor.decode(inputs, mode: .json, onto: stored)
    #expect(bad.errors["details"]?.hasPrefix("invalid JSON at line 2, column") == true)
    inputs["details"] = "{\"booking_panels\": true, \"desk_booking\": true}"
    let unfit = editor.decode(inputs, mode: .json, onto: stored)
    #expect(unfit.errors["details"]?.contains("visitor_kiosk: is required by the schema") == true)
    // A user's form cannot carry a schema: `schema_id` and `editors` are support's and kept.
    inputs["details"] = "{\"booking_panels\": true, \"desk_booking\": true, \"visitor_kiosk\": false}"
    inputs["schema_id"] = ""
    let saved = editor.decode(inputs, mode: .json, onto: stored)
    #expect(saved.errors.isEmpty)
    #expect(saved.document["schema_id"] == "schema-zone-features")
    #expect(saved.document["description"] == stored["description"])
    // The schema form: one toggle changed, the rest as stored.
    var toggles = editor.inputs(for: stored)
    toggles["details.desk_booking"] = "on"
    let switched = editor.decode(toggles, mode: .schema, onto: stored)
    #expect(switched.errors.isEmpty)
    #expect(switched.document["details"]?["desk_booking"] == true)
    #expect(switched.document["details"]?["booking_panels"] == stored["details"]?["booking_panels"])
    #expect(editor.inputName(for: "details.desk_booking", mode: .schema) == "details.desk_booking")
    #expect(editor.inputName(for: "details.desk_booking", mode: .json) == "details")
}
