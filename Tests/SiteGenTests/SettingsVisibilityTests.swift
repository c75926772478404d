import Foundation
import Testing
@testable import ConfigRepo
@testable import SiteGen

/// The settings block each role gets: never a value (nor a key) of a level above its own.
@Suite struct SettingsVisibilityTests {
    let box = SecretBox(secret: DeploymentSecret(bytes: [UInt8](repeating: 5, count: 32)))

    func block(_ role: Role) throws -> String {
        let plain = Settings(levels: [.none: ["poll": 30], .support: ["support_pin": "4711"], .admin: ["admin_password": "hunter2"],
                                      .neverDisplay: ["driver_token": "t0ps3cret"]])
        let sealed = plain.sealingPlaintext(objectID: "sys-a", box: box)
        let value = SettingsPresenter.levels(sealed, objectID: "sys-a", box: box, role: role)
        return String(decoding: try SiteFixtures.library.render("settings-view", value), as: UTF8.self)
    }

    @Test func userSeesOnlyThePlainLevel() throws {
        let html = try block(.user)
        #expect(html.contains("poll"))
        for hidden in ["support_pin", "4711", "admin_password", "hunter2", "driver_token", "t0ps3cret", "enc:v1"] {
            #expect(!html.contains(hidden), "a user must not see \(hidden)")
        }
    }

    @Test func supportSeesSupportValuesButNothingOfAdmin() throws {
        let html = try block(.support)
        #expect(html.contains("4711") && html.contains("support_pin"))
        for hidden in ["admin_password", "hunter2", "driver_token", "t0ps3cret", "enc:v1"] { #expect(!html.contains(hidden)) }
    }

    @Test func adminSeesAdminValuesAndNeverDisplayKeysOnly() throws {
        let html = try block(.admin)
        #expect(html.contains("hunter2") && html.contains("4711"))
        #expect(html.contains("driver_token"))
        #expect(!html.contains("t0ps3cret") && !html.contains("enc:v1"))
    }

    @Test func withoutTheSecretEncryptedLevelsShowKeysNotEnvelopes() throws {
        let sealed = Settings(levels: [.admin: ["admin_password": "hunter2"]]).sealingPlaintext(objectID: "sys-a", box: box)
        let value = SettingsPresenter.levels(sealed, objectID: "sys-a", box: nil, role: .admin)
        let html = String(decoding: try SiteFixtures.library.render("settings-view", value), as: UTF8.self)
        #expect(html.contains("admin_password") && !html.contains("enc:v1") && !html.contains("hunter2"))
    }

    @Test func preRenderedPagesCarryOnlyTheMarker() throws {
        let value = SettingsPresenter.levels(["none": ["poll": 30], "admin": ["x": "enc:v1:AAAA"]])
        let html = String(decoding: try SiteFixtures.library.render("settings-view", value), as: UTF8.self)
        #expect(html == SettingsPresenter.marker.text + "\n" || html == SettingsPresenter.marker.text)
        if case .null = SettingsPresenter.levels([:]) {} else { Issue.record("no settings: no block") }
    }
}
