import Testing
@testable import ConfigRepo

/// The words of `backoffice diff` and the branches page (issue 16): one line per object, values
/// of secrets and encrypted settings never shown, keys of encrypted levels never named.
@Suite struct ChangeWordsTests {
    @Test func plainFieldsSayBeforeAndAfter() {
        let words = ChangeWords.fields(of: .system, old: ["capacity": 8, "name": "Ferry"], new: ["capacity": 12, "name": "Ferry", "notes": "new"])
        #expect(words.map(\.text) == ["capacity 8 → 12", "notes (none) → \"new\""])
        #expect(words.allSatisfy { !$0.isSecret })
    }

    @Test func listsSayWhatWasAddedRemovedOrReordered() {
        let words = ChangeWords.fields(of: .system, old: ["features": ["projector", "whiteboard"], "zones": ["zone-a", "zone-b"]],
                                       new: ["features": ["whiteboard", "display"], "zones": ["zone-b", "zone-a"]])
        #expect(words.map(\.text) == [#"features: + "display", - "projector""#, #"zones: reordered "zone-b", "zone-a""#])
        let triggers = ChangeWords.fields(of: .zone, old: ["triggers": [["id": "t-1", "enabled": true], ["id": "t-2"]]],
                                          new: ["triggers": [["id": "t-1", "enabled": false], ["id": "t-3"]]])
        #expect(triggers.map(\.text) == ["triggers: + t-3, - t-2, t-1 edited"])
    }

    @Test func encryptedLevelsAreOneLineWithoutKeysOrValues() {
        let old: JSONValue = ["settings": ["admin": ["alarm_code": "enc:v1:AAAA"], "none": ["volume": 3]]]
        let new: JSONValue = ["settings": ["admin": ["alarm_code": "enc:v1:BBBB", "pin": "plain-not-sealed-yet"],
                                           "none": ["volume": 4], "never_display": ["key": "enc:v1:CCCC"]]]
        let words = ChangeWords.fields(of: .module, old: old, new: new)
        #expect(words.map(\.text) == ["admin settings changed", "never_display settings changed", "settings.none.volume 3 → 4"])
        let all = words.map(\.text).joined()
        #expect(!all.contains("alarm_code") && !all.contains("pin") && !all.contains("plain") && !all.contains("enc:v1"))
    }

    @Test func aWholeSettingsObjectIsSplitIntoLevels() {
        let words = ChangeWords.fields(of: .system, old: ["name": "A"],
                                       new: ["name": "A", "settings": ["none": ["a": 1], "support": ["b": "enc:v1:AAAA"]]])
        #expect(words.map(\.text) == ["settings.none.a (none) → 1", "support settings changed"])
    }

    @Test func secretFieldsSayOnlyThatTheyChanged() {
        let words = ChangeWords.fields(of: .authStrategy, old: ["client_secret": "enc:v1:AAAA", "name": "Google"],
                                       new: ["client_secret": "enc:v1:BBBB", "name": "Google SSO"])
        #expect(words.map(\.text) == ["client_secret changed", "name \"Google\" → \"Google SSO\""])
        #expect(words[0].old == nil && words[0].new == nil)
        // An envelope in a field that is not declared secret is not spelled out either.
        let mail = ChangeWords.fields(of: nil, old: ["mail": ["password": "enc:v1:AAAA"]], new: ["mail": ["password": "enc:v1:BBBB"]])
        #expect(mail.map(\.text) == ["mail.password changed"])
    }

    @Test func webhookSecretsOfTriggerInstancesAreHidden() {
        let entry: JSONValue = ["id": "trig-a", "trigger_id": "trigger-x", "webhook_secret": "enc:v1:AAAA"]
        var changed = entry.objectValue!
        changed["webhook_secret"] = "enc:v1:BBBB"
        let words = ChangeWords.fields(of: .system, old: ["triggers": [entry]], new: ["triggers": [.object(changed)]])
        #expect(words.count == 1 && words[0].isSecret && !words[0].text.contains("enc:v1"))
    }

    private func file(_ path: String, _ text: String) -> RepoFile {
        RepoFile(path: path, blob: .blob(Array(text.utf8)), bytes: Array(text.utf8))
    }

    @Test func snapshotsDiffPerObjectWithCreatedAndDeletedLines() {
        let old = Snapshot(commit: nil, files: [
            file("zones/zone-a.json", #"{"name": "A", "tags": ["level"]}"#),
            file("systems/sys-b.json", #"{"name": "B", "capacity": 8}"#),
        ])
        let new = Snapshot(commit: nil, files: [
            file("zones/zone-c.json", #"{"name": "Level 3"}"#),
            file("systems/sys-b.json", #"{"name": "B", "capacity": 12}"#),
        ])
        let lines = SnapshotDiff.between(old, new).map(\.line)
        #expect(lines == ["zones: - zone-a \"A\"", "zones: + zone-c \"Level 3\"", "systems/sys-b: capacity 8 → 12"])
    }
}
