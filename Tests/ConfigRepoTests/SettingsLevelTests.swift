import Testing
@testable import ConfigRepo

@Suite struct SettingsLevelTests {
    @Test func levelsAreOrderedWithFileKeys() {
        #expect(SettingsLevel.allCases == [.none, .support, .admin, .neverDisplay])
        #expect(SettingsLevel.allCases.map(\.rawValue) == ["none", "support", "admin", "never_display"])
        #expect(SettingsLevel.allCases.map(\.rank) == [0, 1, 2, 3])
        #expect(SettingsLevel.none < .support && SettingsLevel.support < .admin && SettingsLevel.admin < .neverDisplay)
        #expect(SettingsLevel(key: "never_display") == .neverDisplay)
        #expect(SettingsLevel(key: "neverDisplay") == nil)
        #expect(SettingsLevel.allCases.filter(\.isEncrypted) == [.support, .admin, .neverDisplay])
    }

    @Test func rolesAreOrdered() {
        #expect(Role.user < .support && Role.support < .admin)
        #expect(Role.allCases.sorted() == [.user, .support, .admin])
        #expect(Role.allCases.map(\.rank) == [0, 1, 2])
    }

    @Test(arguments: [
        (Role.user, [SettingsLevel.none]),
        (Role.support, [SettingsLevel.none, .support]),
        (Role.admin, [SettingsLevel.none, .support, .admin]),
    ])
    func readableLevels(role: Role, levels: [SettingsLevel]) {
        #expect(SettingsLevel.readable(by: role) == levels)
        for level in SettingsLevel.allCases {
            #expect(level.isReadable(by: role) == levels.contains(level))
        }
        #expect(!SettingsLevel.neverDisplay.isReadable(by: role))
    }
}
