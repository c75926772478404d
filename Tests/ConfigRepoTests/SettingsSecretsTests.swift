import Testing
@testable import ConfigRepo

@Suite struct SettingsSecretsTests {
    let box = SecretBox(secret: makeTestSecret())

    var plain: Settings {
        Settings(levels: [
            .none: ["poll": 30],
            .support: ["support_pin": "1234"],
            .admin: ["password": "hunter2", "account": ["user": "svc", "port": 22]],
            .neverDisplay: ["api_key": "sk-live-xyz"],
        ])
    }

    @Test func sealingEncryptsEveryEncryptedLevelValueAndKeepsKeys() throws {
        let json = plain.sealingPlaintext(objectID: "mod-1", box: box)
        let (sealed, problems) = Settings.parse(json)
        #expect(problems.isEmpty)
        #expect(sealed[.none] == ["poll": 30])
        for level in [SettingsLevel.support, .admin, .neverDisplay] {
            #expect(Set(sealed[level].keys) == Set(plain[level].keys))
            for (key, value) in sealed[level] {
                #expect(SecretBox.isEnvelope(value))
                #expect(try box.open(value.stringValue!, binding: .setting(objectID: "mod-1", level: level, key: key))
                    == plain[level][key])
            }
        }
        #expect(sealed.verify(objectID: "mod-1", box: box).isEmpty)
    }

    @Test func sealingKeepsExistingEnvelopesUnchanged() {
        let once = plain.sealed(objectID: "mod-1", box: box)
        var edited = once
        edited[.admin]["password"] = "new secret"
        let twice = edited.sealed(objectID: "mod-1", box: box)
        #expect(twice[.admin]["account"] == once[.admin]["account"])
        #expect(twice[.neverDisplay] == once[.neverDisplay])
        #expect(twice[.admin]["password"] != once[.admin]["password"])
    }

    @Test func verifyReportsCiphertextMovedToAnotherObjectOrKey() {
        let sealed = plain.sealed(objectID: "mod-1", box: box)
        var moved = sealed
        moved[.admin]["other"] = sealed[.admin]["password"]
        moved[.support]["support_pin"] = sealed[.admin]["password"]
        let problems = moved.verify(objectID: "mod-1", box: box, path: "settings")
        #expect(problems.map(\.path) == ["settings.support.support_pin", "settings.admin.other"])
        #expect(problems.allSatisfy { $0.message.contains("encrypted for another object, level or key") })
        #expect(sealed.verify(objectID: "mod-2", box: box).count == 4)
        #expect(sealed.verify(objectID: "mod-1", box: SecretBox(secret: makeTestSecret())).count == 4)
    }

    @Test(arguments: [
        (Role.user, [SettingsLevel.none]),
        (Role.support, [SettingsLevel.none, .support]),
        (Role.admin, [SettingsLevel.none, .support, .admin]),
    ])
    func openedShowsOnlyReadableLevels(role: Role, readable: [SettingsLevel]) throws {
        let sealed = plain.sealed(objectID: "mod-1", box: box)
        let shown = try sealed.opened(objectID: "mod-1", box: box, upTo: role)
        for level in SettingsLevel.allCases {
            #expect(Set(shown[level].keys) == Set(plain[level].keys))
            for (key, value) in shown[level] {
                if readable.contains(level) {
                    #expect(value == plain[level][key])
                } else {
                    #expect(value == sealed[level][key])
                    #expect(Settings.isHidden(value))
                }
            }
        }
    }

    @Test func plainTextAboveTheRoleIsHiddenNotShown() throws {
        // Only in an invalid (unsealed) file; must still not leak.
        let shown = try plain.opened(objectID: "mod-1", box: box, upTo: .support)
        #expect(shown[.support]["support_pin"] == "1234")
        #expect(shown[.admin]["password"] == Settings.hiddenValue)
        #expect(shown[.neverDisplay]["api_key"] == Settings.hiddenValue)
    }

    @Test func driverGetsEverythingIncludingNeverDisplay() throws {
        let sealed = plain.sealed(objectID: "mod-1", box: box)
        #expect(try sealed.openedForDriver(objectID: "mod-1", box: box) == plain)
    }

    @Test func openingAMovedValueThrowsWithItsPlace() {
        var sealed = plain.sealed(objectID: "mod-1", box: box)
        sealed[.admin]["password"] = sealed[.neverDisplay]["api_key"]
        let error = #expect(throws: SettingsOpenError.self) {
            try sealed.opened(objectID: "mod-1", box: box, upTo: .admin)
        }
        #expect(error?.path == "settings.admin.password")
        #expect(error?.objectID == "mod-1")
        #expect(error?.reason == .cannotOpen)
        // A user never opens admin values, so nothing fails for them.
        #expect(throws: Never.self) { try sealed.opened(objectID: "mod-1", box: box, upTo: .user) }
    }
}

@Suite struct WebhookSecretEnvelopeTests {
    let box = SecretBox(secret: makeTestSecret())

    func system(_ id: String, secret: JSONValue) -> ConfigDocument {
        ConfigDocument(ref: ObjectRef(.system, id), members: [
            "name": "Room", "triggers": [["trigger_id": "trigger-a", "webhook_secret": secret]],
        ])
    }

    @Test func aSealedWebhookSecretOpensOnlyWhereItWasSealed() throws {
        let sealed = SecretSealer(box: box).seal(system("sys-a", secret: "s3cret"))
        let envelope = try #require(sealed["triggers"]?.arrayValue?.first?.objectValue?["webhook_secret"])
        #expect(SecretBox.isEnvelope(envelope))
        #expect(EnvelopeVerifier(box: box).problems(in: sealed).isEmpty)

        let moved = system("sys-b", secret: envelope)
        let problems = EnvelopeVerifier(box: box).problems(in: moved)
        #expect(problems.map(\.field) == ["triggers[0].webhook_secret"])
        #expect(problems.first?.path == "systems/sys-b.json")
    }
}
