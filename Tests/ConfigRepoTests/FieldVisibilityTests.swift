import Testing
@testable import ConfigRepo

/// History and conflict diffs hide secrets by field, whether or not the value was sealed yet
/// (issue 11, item 4), and commit messages never name a key of an encrypted level (item 5).
@Suite struct FieldVisibilityTests {
    @Test func settingsLevelsAboveTheReaderAreLeftOut() {
        let changes = [
            FieldChange(path: "capacity", old: 4, new: 6),
            FieldChange(path: "settings.none.poll", old: 30, new: 60),
            FieldChange(path: "settings.support.pin", old: nil, new: "enc:v1:AAAA"),
            FieldChange(path: "settings.admin.password", old: nil, new: "plain-before-sealing"),
            FieldChange(path: "settings.never_display.key", old: nil, new: "plain-too"),
            FieldChange(path: "settings", old: nil, new: ["none": ["a": 1], "admin": ["secret_key": "enc:v1:CCCC"]]),
        ]
        let user = FieldVisibility.visible(changes, of: .system, to: .user)
        #expect(user.map(\.path) == ["capacity", "settings.none.poll", "settings"])
        #expect(user.last?.new == ["none": ["a": 1]])
        let support = FieldVisibility.visible(changes, of: .system, to: .support)
        #expect(support.map(\.path) == ["capacity", "settings.none.poll", "settings.support.pin", "settings"])
        let admin = FieldVisibility.visible(changes, of: .system, to: .admin)
        #expect(admin.map(\.path) == ["capacity", "settings.none.poll", "settings.support.pin", "settings.admin.password", "settings"])
        // The deployment file's settings follow the same rule.
        #expect(FieldVisibility.visible(changes, of: nil, to: .user).map(\.path) == ["capacity", "settings.none.poll", "settings"])
    }

    @Test func secretFieldsAreHiddenFromEveryoneSealedOrNot() {
        let hidden = FieldVisibility.hidden
        for (kind, field) in [(Kind.repository, "password"), (.application, "secret"), (.authStrategy, "client_secret")] {
            let changes = [FieldChange(path: field, old: "plain-old", new: "enc:v1:AAAA"), FieldChange(path: "name", old: "a", new: "b")]
            for role in Role.allCases {
                let shown = FieldVisibility.visible(changes, of: kind, to: role)
                #expect(shown.first == FieldChange(path: field, old: hidden, new: hidden), "\(kind).\(field) for \(role)")
                #expect(shown.last == changes.last)
            }
        }
        // A whole secret object stored where a secret belongs: nothing under it shows either.
        let nested = [FieldChange(path: "password.value", old: nil, new: "plain")]
        #expect(FieldVisibility.visible(nested, of: .repository, to: .admin) == [FieldChange(path: "password.value", old: nil, new: hidden)])
    }

    @Test func webhookSecretsOfTriggerInstancesAreHidden() {
        let before: JSONValue = [["id": "trig-1", "trigger_id": "trigger-a", "webhook_secret": "plain-hook-secret"]]
        let after: JSONValue = [["id": "trig-1", "trigger_id": "trigger-a", "webhook_secret": "enc:v1:AAAA", "enabled": true]]
        let shown = FieldVisibility.visible([FieldChange(path: "triggers", old: before, new: after)], of: .system, to: .user)
        #expect(shown == [FieldChange(path: "triggers",
                                      old: [["id": "trig-1", "trigger_id": "trigger-a", "webhook_secret": FieldVisibility.hidden]],
                                      new: [["id": "trig-1", "trigger_id": "trigger-a", "webhook_secret": FieldVisibility.hidden, "enabled": true]])])
        // A created system lists its fields one by one; its trigger instances are hidden alike.
        let created = FieldDiff.between(nil, ["name": "Room", "triggers": before])
        let visible = FieldVisibility.visible(created, of: .system, to: .admin)
        #expect(!JSONWriter.compactString(visible.last!.new!).contains("plain-hook-secret"))
    }

    @Test func aCommitMessageNamesNoKeyOfAnEncryptedLevel() {
        var old = ConfigDocument(ref: ObjectRef(.system, "sys-a"), members: ["name": "Room A", "capacity": 4])
        var new = old
        new["settings"] = ["admin": ["alarm_code": "enc:v1:AAAA"]]
        old["settings"] = ["admin": [:]]
        let one = CommitMessage.line(for: .init(ref: old.ref, old: old, new: new))
        #expect(one == "systems: admin settings of \"Room A\" changed")
        old["settings"] = ["none": ["volume": 1], "support": ["pin": "enc:v1:AAAA"]]
        new["capacity"] = 6
        new["settings"] = ["none": ["volume": 3], "support": ["pin": "enc:v1:BBBB"], "never_display": ["key": "enc:v1:CCCC"]]
        let several = CommitMessage.line(for: .init(ref: old.ref, old: old, new: new))
        #expect(several == "systems: edit \"Room A\" (capacity, never_display settings, settings.none.volume, support settings)")
        for secret in ["alarm_code", "pin", "key"] { #expect(!several.contains(secret)) }
        let deployment = CommitMessage.deploymentLine(
            old: DeploymentFile(members: ["settings": ["admin": ["smtp_password": "enc:v1:AAAA"]]]),
            new: DeploymentFile(members: ["settings": ["admin": ["smtp_password": "enc:v1:BBBB", "api_token": "enc:v1:CCCC"]],
                                          "title": "T"]))
        #expect(deployment == "Deployment: admin settings changed, title (none) → \"T\"")
    }

    @Test func subjectsOfOlderCommitsAreShownWithoutKeysAboveTheReader() {
        let subject = "systems: settings.admin.alarm_code of \"Room A\" (encrypted) → (encrypted)"
        #expect(CommitMessage.visibleSubject(subject, to: .support) == "systems: admin settings of \"Room A\" (encrypted) → (encrypted)")
        #expect(CommitMessage.visibleSubject(subject, to: .admin) == subject)
        let revert = "Revert \"systems: edit \"B\" (settings.support.pin, settings.never_display.api_key)\""
        #expect(CommitMessage.visibleSubject(revert, to: .user) == "Revert \"systems: edit \"B\" (support settings, never_display settings)\"")
        #expect(CommitMessage.visibleSubject(revert, to: .admin) == "Revert \"systems: edit \"B\" (settings.support.pin, never_display settings)\"")
    }
}
