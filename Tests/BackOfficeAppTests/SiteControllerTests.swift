import Auth
@testable import BackOfficeApp
import ConfigRepo
import SiteGen
import TestSupport
import Testing
import WebServer

/// The site's controllers in process, through the router and the request pipeline, on a real
/// repository: each form's GET, its POST making one commit, and the refusals.
@Suite(.serialized) struct SiteControllerTests {
    static let jetty = "/backoffice/systems/sys-l2-jetty/"

    @Test func anEditIsOneCommitByTheEditorAndTheDetailPageShowsIt() async throws {
        let bed = try SiteTestbed()
        let response = try await bed.submit(Self.jetty + "edit", changes: ["capacity": "10"], as: .support)
        #expect(response.status == .seeOther)
        #expect(response.location?.hasPrefix(Self.jetty + "?saved=") == true)
        #expect(try bed.document(.system, "sys-l2-jetty")?.int("capacity") == 10)
        let head = try #require(try bed.repository.history(of: ObjectRef(.system, "sys-l2-jetty"), limit: 1).first)
        #expect(head.author.name == "Test support" && head.subject.contains("6 → 10"))
        let detail = try await bed.get(try #require(response.location), as: .support)
        #expect(detail.status == .ok && detail.text.contains("Saved as commit"))
    }

    @Test func aStaleFormIsAConflictThatKeepsTheInputAndCommitsNothing() async throws {
        let bed = try SiteTestbed()
        let stale = try #require(HTMLForm(try await bed.get(Self.jetty + "edit").text, action: Self.jetty + "edit")).fields
        #expect(try await bed.submit(Self.jetty + "edit", changes: ["capacity": "99"]).status == .seeOther)
        let head = bed.repository.store.head()
        var mine = stale
        mine["description"] = "Our own words"
        let conflict = try await bed.post(Self.jetty + "edit", mine)
        #expect(conflict.status == .conflict)
        #expect(conflict.text.contains("99") && conflict.text.contains("Our own words"))
        #expect(bed.repository.store.head() == head)
    }

    @Test func invalidInputComesBackBesideItsFieldWith422() async throws {
        let bed = try SiteTestbed()
        let head = bed.repository.store.head()
        let response = try await bed.submit("/backoffice/systems/sys-l1-training/edit", changes: ["settings.none": "[1,"])
        #expect(response.status == .unprocessableContent && response.text.contains("invalid JSON"))
        #expect(bed.repository.store.head() == head)
    }

    @Test func createThenDeleteWithItsCascade() async throws {
        let bed = try SiteTestbed()
        let created = try await bed.submit("/backoffice/systems/new", changes: ["name": "In-process Room", "zones": "zone-hp-l3"])
        #expect(created.status == .seeOther)
        let detail = try #require(created.location?.split(separator: "?").first.map(String.init))
        let id = try #require(detail.split(separator: "/").last.map(String.init))
        #expect(try bed.document(.system, id)?.string("name") == "In-process Room")
        let confirm = try await bed.get(detail + "delete")
        #expect(confirm.status == .ok && confirm.text.contains("In-process Room"))
        let deleted = try await bed.submit(detail + "delete")
        #expect(deleted.status == .seeOther && deleted.location == "/backoffice/systems/?deleted=" + id)
        #expect(try bed.document(.system, id) == nil)
    }

    @Test func historyShowsTheChangeAndRevertRestoresIt() async throws {
        let bed = try SiteTestbed()
        #expect(try await bed.submit(Self.jetty + "edit", changes: ["capacity": "12"]).status == .seeOther)
        let history = try await bed.get(Self.jetty + "history")
        #expect(history.status == .ok && history.text.contains("capacity"))
        let form = try #require(HTMLForm(history.text, action: Self.jetty + "revert"))
        let reverted = try await bed.post(Self.jetty + "revert", form.fields)
        #expect(reverted.status == .seeOther)
        #expect(try bed.document(.system, "sys-l2-jetty")?.int("capacity") == 6)
        #expect(try await bed.post(Self.jetty + "revert", ["_csrf": form.fields["_csrf"] ?? ""]).status == .badRequest)
    }

    @Test func aSystemsModulesAreReorderedOneCommitAtATime() async throws {
        let bed = try SiteTestbed()
        let response = try await bed.submit(Self.jetty + "modules", changes: ["action": "down", "member": "mod-l2-jetty-logic"])
        #expect(response.status == .seeOther)
        #expect(try bed.document(.system, "sys-l2-jetty")?.strings("modules").prefix(2) == ["mod-l2-jetty-occupancy", "mod-l2-jetty-logic"])
        let first = try await bed.submit(Self.jetty + "modules", changes: ["action": "up", "member": "mod-l2-jetty-occupancy"])
        #expect(first.status == .unprocessableContent && first.text.contains("already first"))
    }

    @Test func theDeploymentFileIsEditedByAdminsAndReadBySupport() async throws {
        let bed = try SiteTestbed()
        #expect(try await bed.get("/backoffice/deployment/", as: .support).status == .ok)
        #expect(try await bed.get("/backoffice/deployment/edit", as: .support).status == .forbidden)
        let saved = try await bed.submit("/backoffice/deployment/edit", changes: ["title": "In-process Point"])
        #expect(saved.status == .seeOther && saved.location?.hasPrefix("/backoffice/deployment/?saved=") == true)
        #expect(try bed.repository.headSnapshot().deployment?.members["title"] == "In-process Point")
        #expect(try await bed.get("/backoffice/deployment/history", as: .support).text.contains("In-process Point"))
    }

    @Test func onlyAdminsChangePermissionsAndNeverTheirOwnAdminFlag() async throws {
        let bed = try SiteTestbed()
        let panel = try await bed.get("/backoffice/users/user-jamie/")
        #expect(panel.status == .ok && panel.text.contains("permissions"))
        var fields = try #require(HTMLForm(panel.text, action: "/backoffice/users/user-jamie/permissions")).fields
        fields["support"] = "on"
        #expect(try await bed.post("/backoffice/users/user-jamie/permissions", fields).status == .seeOther)
        #expect(try bed.document(.user, "user-jamie")?.bool("support") == true)
        #expect(try await bed.post("/backoffice/users/user-jamie/permissions", fields, as: .support).status == .forbidden)
    }

    @Test func aNewAPIKeyIsShownOnceAndOnlyItsHashIsStored() async throws {
        let bed = try SiteTestbed()
        let created = try await bed.submit("/backoffice/api-keys/new", changes: ["user": "jamie.taylor@harbourpoint.example", "name": "CI"])
        #expect(created.status == .ok && created.headers["referrer-policy"] == "no-referrer")
        let key = try #require(created.text.split(separator: "data-key>").dropFirst().first?.split(separator: "<").first.map(String.init))
        let id = try #require(key.split(separator: ".").first.map(String.init))
        let stored = try #require(try bed.document(.apiKey, id))
        #expect(stored.string("secret_hash")?.hasPrefix("hmac-sha512$") == true)
        #expect(!JSONWriter.compactString(.object(stored.members)).contains(String(key.split(separator: ".").last!)))
    }

    @Test func rolesAreCheckedByTheControllersToo() async throws {
        let bed = try SiteTestbed()
        let head = bed.repository.store.head()
        // Users edit nothing; support edits systems, not drivers.
        #expect(try await bed.get(Self.jetty + "edit", as: .user).status == .forbidden)
        #expect(try await bed.get("/backoffice/drivers/driver-lutron-lighting/edit", as: .support).status == .forbidden)
        let form = try #require(HTMLForm(try await bed.get(Self.jetty + "edit").text, action: Self.jetty + "edit")).fields
        #expect(try await bed.post(Self.jetty + "edit", form, as: .user).status == .forbidden)
        // A form token of one session is refused in another.
        #expect(try await bed.post(Self.jetty + "edit", form, as: .support).status == .forbidden)
        #expect(bed.repository.store.head() == head)
    }

    @Test func unknownSectionsAndObjectsAre404() async throws {
        let bed = try SiteTestbed()
        #expect(try await bed.get("/backoffice/nowhere/new").status == .notFound)
        #expect(try await bed.get("/backoffice/systems/sys-nowhere/edit").status == .notFound)
        #expect(try await bed.get("/backoffice/zones/zone-hp-l1/modules").status == .notFound)
        #expect(try await bed.get("/backoffice/systems/sys-l2-jetty/settings").status == .notFound)
        #expect(try await bed.get("/backoffice/modules/mod-l2-jetty-hvac/settings").status == .ok)
    }
}
