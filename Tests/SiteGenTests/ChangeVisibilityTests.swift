import ConfigRepo
import Testing
@testable import SiteGen

/// History and conflict diffs show a reader no settings level above their role, not even its keys.
@Test func historyHidesSettingsLevelsAboveTheReadersRole() {
    let changes = [
        FieldChange(path: "capacity", old: 4, new: 6),
        FieldChange(path: "settings.none.poll", old: 30, new: 60),
        FieldChange(path: "settings.support.pin", old: nil, new: "enc:v1:AAAA"),
        FieldChange(path: "settings.admin.password", old: nil, new: "enc:v1:BBBB"),
        FieldChange(path: "settings", old: nil, new: ["none": ["a": 1], "admin": ["secret_key": "enc:v1:CCCC"]]),
    ]
    let user = ChangeValues.visible(changes, kind: .system, to: .user)
    #expect(user.map(\.path) == ["capacity", "settings.none.poll", "settings"])
    #expect(user.last?.new == ["none": ["a": 1]])
    let support = ChangeValues.visible(changes, kind: .system, to: .support)
    #expect(support.map(\.path) == ["capacity", "settings.none.poll", "settings.support.pin", "settings"])
    #expect(ChangeValues.visible(changes, kind: .system, to: .admin).count == 5)
}
