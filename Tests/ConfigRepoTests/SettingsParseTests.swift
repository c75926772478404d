import Testing
@testable import ConfigRepo

@Suite struct SettingsParseTests {
    let box = SecretBox(secret: makeTestSecret())

    @Test func parsesAllLevelsAndKeepsEmptyOnes() throws {
        let envelope = box.seal("pw", binding: .setting(objectID: "mod-1", level: .admin, key: "password"))
        let json = try JSONParser.parse("""
            {"none": {"poll": 30, "hosts": ["a"]}, "support": {}, "admin": {"password": "\(envelope)"}}
            """)
        let (settings, problems) = Settings.parse(json)
        #expect(problems.isEmpty)
        #expect(settings[.none] == ["poll": 30, "hosts": ["a"]])
        #expect(settings.levels[.support] == [:])
        #expect(settings.levels[.neverDisplay] == nil)
        #expect(settings[.admin]["password"] == .string(envelope))
        #expect(settings.json == json)
        #expect(Settings.parse([:]).settings == .empty)
        #expect(Settings.parse([:]).settings.isEmpty)
    }

    @Test func notAnObject() {
        let (settings, problems) = Settings.parse(["a", "b"], path: "settings")
        #expect(settings == .empty)
        #expect(problems.count == 1)
        #expect(problems.first?.path == "settings")
        #expect(problems.first?.message.contains("must be an object") == true)
        #expect(problems.first?.message.contains("not an array") == true)
    }

    @Test func unknownLevelAndNonObjectLevel() {
        let (settings, problems) = Settings.parse(["none": ["a": 1], "secret": ["x": 1], "admin": "oops"],
                                                  path: "modules.settings")
        #expect(settings[.none] == ["a": 1])
        #expect(settings.levels[.admin] == nil)
        #expect(problems == [
            SettingsProblem(path: "modules.settings.admin",
                            message: "the \"admin\" level must be an object of settings, not a string"),
            SettingsProblem(path: "modules.settings.secret",
                            message: "unknown settings level \"secret\": the levels are \"none\", \"support\", \"admin\", \"never_display\""),
        ])
    }

    @Test func plainTextUnderEncryptedLevelsIsAProblemButKept() {
        let (settings, problems) = Settings.parse([
            "none": ["visible": "ok"],
            "support": ["token": "abc"],
            "admin": ["port": 22, "creds": ["user": "x"]],
            "never_display": ["key": nil],
        ])
        #expect(problems.map(\.path) == ["settings.admin.creds", "settings.admin.port",
                                         "settings.never_display.key", "settings.support.token"])
        #expect(problems.allSatisfy {
            $0.message == "plain text under an encrypted level: encrypt it with `backoffice secret seal` or save it through the site"
        })
        #expect(settings[.support]["token"] == "abc")
        #expect(settings[.admin]["port"] == 22)
    }

    @Test func malformedEnvelopes() {
        let (_, problems) = Settings.parse([
            "admin": ["a": "enc:v1:@@@", "b": "enc:v1:AAAA", "c": "enc:v9:xyz"],
        ], path: "settings")
        #expect(problems.map(\.path) == ["settings.admin.a", "settings.admin.b", "settings.admin.c"])
        #expect(problems[0].message.contains("not valid base64"))
        #expect(problems[1].message.contains("too short"))
        #expect(problems[2].message.contains("unknown envelope version"))
    }

    @Test func pathsQuoteOddKeysAndJoinWithoutPrefix() {
        let (_, problems) = Settings.parse(["admin": ["a.b": "x", "plain_key-1": "y"]], path: "")
        #expect(problems.map(\.path) == ["admin[\"a.b\"]", "admin.plain_key-1"])
        #expect(SettingsProblem.path("settings.list", index: 3) == "settings.list[3]")
        #expect(SettingsProblem(path: "p", message: "m").description == "p: m")
    }
}
