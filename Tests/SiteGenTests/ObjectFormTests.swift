@testable import ConfigRepo
import Foundation
import Testing
@testable import SiteGen

@Test func formRoundTripKeepsTheDocument() throws {
    let box = SecretBox(secret: DeploymentSecret(bytes: [UInt8](repeating: 7, count: 32)))
    var system = ConfigDocument(ref: ObjectRef(.system, "sys-a"))
    system["name"] = "Room A"
    system["capacity"] = 4
    system["bookable"] = true
    system["zones"] = ["zone-a", "zone-b"]
    system["custom_member"] = "kept"
    let form = ObjectForm(kind: .system, role: .admin, box: box)
    var inputs = form.inputs(for: system)
    inputs["capacity"] = "7"
    let decoded = form.decode(inputs, onto: system)
    #expect(decoded.errors.isEmpty)
    #expect(decoded.document["capacity"] == 7)
    #expect(decoded.document["settings"] == nil)
    #expect(decoded.document["custom_member"] == "kept")
    #expect(decoded.document["zones"] == ["zone-a", "zone-b"])
    #expect(decoded.document["bookable"] == true)
}

@Test func formErrorsNameTheFieldAndJSONPosition() {
    let form = ObjectForm(kind: .system, role: .admin, box: nil)
    let base = ConfigDocument(ref: ObjectRef(.system, "sys-a"), members: ["name": "A"])
    let decoded = form.decode(["name": "A", "capacity": "many", "settings.none": "{\n  \"a\": 1,\n  oops\n}"], onto: base)
    #expect(decoded.errors["capacity"]?.contains("whole number") == true)
    #expect(decoded.errors["settings.none"]?.hasPrefix("invalid JSON at line 3, column 3") == true)
}

@Test func uncheckedBoxClearsAFlagThatWasSet() {
    let form = ObjectForm(kind: .system, role: .admin, box: nil)
    let base = ConfigDocument(ref: ObjectRef(.system, "sys-a"), members: ["name": "A", "bookable": true])
    #expect(form.decode(["name": "A"], onto: base).document["bookable"] == false)
    let fresh = ConfigDocument(ref: ObjectRef(.system, "sys-b"), members: ["name": "B"])
    #expect(form.decode(["name": "B"], onto: fresh).document["bookable"] == nil)
}

@Test func encryptedSettingsSubmittedUnchangedKeepTheirEnvelope() throws {
    let box = SecretBox(secret: DeploymentSecret(bytes: [UInt8](repeating: 9, count: 32)))
    let plain = Settings(levels: [.none: ["poll": 30], .admin: ["password": "hunter2"]])
    var system = ConfigDocument(ref: ObjectRef(.system, "sys-a"), members: ["name": "A"])
    system["settings"] = plain.sealingPlaintext(objectID: "sys-a", box: box)
    let envelope = system["settings"]?["admin"]?["password"]
    let admin = ObjectForm(kind: .system, role: .admin, box: box)
    let inputs = admin.inputs(for: system)
    #expect(inputs["settings.admin"]?.contains("hunter2") == true)
    #expect(admin.decode(inputs, onto: system).document["settings"]?["admin"]?["password"] == envelope)
    // A user-level reader sees no encrypted level and cannot drop it by saving.
    let user = ObjectForm(kind: .system, role: .user, box: box)
    let userInputs = user.inputs(for: system)
    #expect(userInputs["settings.admin"] == nil)
    #expect(user.decode(userInputs, onto: system).document["settings"]?["admin"]?["password"] == envelope)
}

@Test func runningDefaultsToTrueAndUncheckingStopsTheModule() {
    let form = ObjectForm(kind: .module, role: .admin, box: nil)
    let module = ConfigDocument(ref: ObjectRef(.module, "mod-a"), members: ["driver_id": "driver-x"])
    var inputs = form.inputs(for: module)
    #expect(inputs["running"] == "on")
    #expect(form.decode(inputs, onto: module).document["running"] == nil)
    inputs["running"] = nil
    #expect(form.decode(inputs, onto: module).document["running"] == false)
}
