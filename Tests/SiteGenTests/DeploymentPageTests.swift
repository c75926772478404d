import Foundation
import Testing
@testable import ConfigRepo
@testable import SiteGen

/// The deployment form and page, the effective settings page, and which pages a change of
/// `backoffice.json` re-renders.
@Suite struct DeploymentPageTests {
    let box = SecretBox(secret: DeploymentSecret(bytes: [UInt8](repeating: 7, count: 32)))
    /// Sealed once: every seal draws a new nonce, so the envelopes must be compared with these.
    let file: DeploymentFile

    init() {
        let settings = Settings(levels: [.none: ["timezone": "Australia/Sydney"], .support: ["support_pin": "4711"],
                                         .admin: ["relay_password": "hunter2"]])
        file = DeploymentFile(members: [
            "title": "Harbour Point", "branch": "main", "x_note": "kept",
            "settings": settings.sealingPlaintext(objectID: SettingsSource.globalObjectID, box: box),
        ], version: SampleConfig.blob("v1"))
    }

    func renderer(_ snapshot: Snapshot = SampleConfig.snapshot(commit: "c")) -> PageRenderer {
        PageRenderer(snapshot: snapshot, library: SiteFixtures.library, index: SiteIndex(snapshot: snapshot))
    }

    func page(_ role: Role) throws -> String {
        let values = DeploymentPage(file: file).values(role: role, box: box, canEdit: role == .admin)
        return String(decoding: try renderer().page("deployment", title: "Deployment", kind: nil, values), as: UTF8.self)
    }

    @Test func supportSeesTheTitleAndItsLevelsButNothingOfAdmin() throws {
        let html = try page(.support)
        #expect(html.contains("Harbour Point") && html.contains("Australia/Sydney") && html.contains("4711"))
        for hidden in ["relay_password", "hunter2", "enc:v1", "/backoffice/deployment/edit"] {
            #expect(!html.contains(hidden), "support must not see \(hidden)")
        }
    }

    @Test func anAdminSeesTheAdminLevelDecryptedAndTheEditLink() throws {
        let html = try page(.admin)
        #expect(html.contains("relay_password") && html.contains("hunter2"))
        #expect(html.contains("href=\"/backoffice/deployment/edit\""))
    }

    @Test func theFormShowsTheReadableLevelsDecryptedAndKeepsUnchangedEnvelopes() throws {
        let form = DeploymentForm(role: .admin, box: box)
        var inputs = form.inputs(for: file)
        #expect(inputs["title"] == "Harbour Point")
        #expect(inputs["settings.admin"]?.contains("hunter2") == true)
        inputs["title"] = "  Harbour Point HQ "
        inputs["layout.sharded"] = "modules\nsystems"
        let decoded = form.decode(inputs, onto: file)
        #expect(decoded.errors.isEmpty)
        #expect(decoded.file.members["title"] == "Harbour Point HQ")
        #expect(decoded.file.members["layout"] == ["sharded": ["modules", "systems"]])
        #expect(decoded.file.members["x_note"] == "kept")
        #expect(decoded.file.settings == file.settings)  // same envelopes: nothing re-encrypted
    }

    @Test func supportCannotTouchTheAdminLevel() throws {
        let form = DeploymentForm(role: .support, box: box)
        var inputs = form.inputs(for: file)
        #expect(inputs["settings.admin"] == nil)
        inputs["settings.admin"] = "{\"relay_password\": \"mine\"}"
        inputs["settings.none"] = "{\"timezone\": \"Europe/Paris\"}"
        let decoded = form.decode(inputs, onto: file)
        let settings = Settings.parse(try #require(decoded.file.settings)).settings
        #expect(settings[.none]["timezone"] == "Europe/Paris")
        #expect(settings[.admin] == Settings.parse(try #require(file.settings)).settings[.admin])
    }

    @Test func brokenSettingsJSONIsAnErrorWithLineAndColumn() {
        let form = DeploymentForm(role: .admin, box: box)
        var inputs = form.inputs(for: file)
        inputs["settings.none"] = "{\n  \"timezone\": \n}"
        let decoded = form.decode(inputs, onto: file)
        #expect(decoded.errors["settings.none"]?.hasPrefix("invalid JSON at line 3, column 1") == true)
        #expect(form.inputName(for: "layout.sharded[1]") == "layout.sharded")
        #expect(form.inputName(for: "settings.admin.x") == "settings.admin")
        #expect(DeploymentForm(role: .support, box: box).inputName(for: "settings.admin.x") == nil)
    }

    @Test func aChangeOfTheDeploymentFileReRendersTheHomePageWithTheNewTitle() throws {
        var members = SampleConfig.members("backoffice.json")
        members["title"] = "Harbour Point HQ"
        let old = SampleConfig.snapshot(commit: "old")
        let new = SampleConfig.snapshot(commit: "new", ["backoffice.json": members])
        let pages = PageDependencies.affectedPages(changedPaths: ["backoffice.json"], old: old, new: new,
                                                   oldIndex: SiteIndex(snapshot: old), newIndex: SiteIndex(snapshot: new))
        #expect(pages == [.home])
        let home = String(decoding: try #require(try renderer(new).render(.home)), as: UTF8.self)
        #expect(home.contains("Harbour Point HQ"))
        #expect(home.contains("href=\"/backoffice/deployment/\""))
    }

    @Test func effectiveSettingsShowTheGlobalValueWhereNothingOverridesIt() throws {
        var members = SampleConfig.members("backoffice.json")
        members["settings"] = ["none": ["timezone": "Europe/Paris"]]
        let snapshot = SampleConfig.snapshot(commit: "s", ["backoffice.json": members])
        let module = try #require(snapshot.document(.module, "mod-l1-huddle-hvac"))
        let values = EffectiveSettingsPage(snapshot: snapshot).values(module: module, box: box, role: .support)
        let html = String(decoding: try renderer(snapshot).page("effective-settings", title: "x", kind: .module, values), as: UTF8.self)
        let row = try #require(html.range(of: "data-key=\"timezone\"").map { String(html[$0.lowerBound...].prefix(400)) })
        #expect(row.contains("Europe/Paris") && row.contains("data-source=\"global\""))
    }
}
