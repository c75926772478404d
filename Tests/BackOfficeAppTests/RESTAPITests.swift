import Auth
@testable import BackOfficeApp
import ConfigRepo
import Runtime
import SiteGen
import TestSupport
import Testing
import WebServer

/// The configuration REST API in process, through the router and the request pipeline, on a
/// real repository of the sample building, each request the user of a role (`RoleHeaderGate`).
@Suite(.serialized) struct RESTAPITests {
    final class Bed: Sendable {
        let sample: SampleRepository
        let router: Router

        init() throws {
            sample = try SampleRepository()
            var router = Router()
            RESTAPI(repository: sample.repository, engine: nil).mount(on: &router)
            router.gate = RoleHeaderGate.gate
            self.router = router
        }

        var head: ObjectID? { sample.repository.store.head() }

        func send(_ method: HTTPMethod, _ target: String, _ json: String? = nil, as role: Role? = .admin) async throws -> Response {
            await router.respond(to: try Request(method: method, target: "/api/engine/v2" + target, headers: RoleHeaderGate.headers(role),
                                                 body: Array((json ?? "").utf8)))
        }

        func json(_ method: HTTPMethod, _ target: String, _ body: String? = nil, as role: Role? = .admin) async throws -> JSONValue {
            try JSONParser.parse(try await send(method, target, body, as: role).body)
        }
    }

    @Test func indexPagesSearchesAndFilters() async throws {
        let bed = try Bed()
        let total = try bed.sample.repository.headSnapshot().count(.system)
        let page = try await bed.send(.get, "/systems?limit=2&offset=1", as: .user)
        #expect(page.status == .ok)
        #expect(page.headers["x-total-count"] == String(total))
        #expect(page.headers["content-range"] == "systems 1-2/\(total)")
        #expect(page.headers["link"] == "</api/engine/v2/systems?offset=3&limit=2>; rel=\"next\"")
        #expect(try JSONParser.parse(page.body).arrayValue?.count == 2)
        let last = try await bed.send(.get, "/systems?offset=\(total - 1)", as: .user)
        #expect(last.headers["link"] == nil && last.headers["content-range"] == "systems \(total - 1)-\(total - 1)/\(total)")

        let found = try await bed.json(.get, "/systems?q=exec%20BOARD", as: .user).arrayValue ?? []
        #expect(found.map { $0["id"]?.stringValue } == ["sys-l3-boardroom"], "every word matches, in any field, any case")
        #expect(try await bed.json(.get, "/systems?q=oard", as: .user).arrayValue?.isEmpty == true, "words match as prefixes only")
        let inZone = try await bed.json(.get, "/systems?zone_id=zone-hp-l3&features=vc&limit=100", as: .user).arrayValue ?? []
        #expect(!inZone.isEmpty && inZone.allSatisfy { $0["zones"]?.arrayValue?.contains(.string("zone-hp-l3")) == true })
        let roots = try await bed.json(.get, "/zones?parent_id=root", as: .user).arrayValue ?? []
        #expect(!roots.isEmpty && roots.allSatisfy { $0["parent_id"] == nil })
        let bad = try await bed.send(.get, "/systems?limit=10001", as: .user)
        #expect(bad.status == .badRequest && bad.text.contains("\"parameter\":\"limit\""))
    }

    @Test func objectsCarryPlaceOSFieldsAndAnEmailNamesASystem() async throws {
        let bed = try Bed()
        let system = try await bed.json(.get, "/systems/l3-boardroom@harbourpoint.example", as: .user)
        #expect(system["id"]?.stringValue == "sys-l3-boardroom")
        #expect((system["created_at"]?.intValue ?? 0) > 1_600_000_000 && system["updated_at"] == system["created_at"])
        #expect(system["version"]?.intValue == 0)
        let module = try await bed.json(.get, "/modules/mod-l3-boardroom-projector-west", as: .support)
        #expect(module["name"]?.stringValue != nil && module["driver"]?["id"]?.stringValue == module["driver_id"]?.stringValue)
        #expect(module["control_system"]?["id"]?.stringValue == "sys-l3-boardroom" && module["connected"]?.boolValue == false)
        // The zones sub-route is not taken for a module named "zones" (the engine's /systems/:sys/:mod).
        let zones = try await bed.json(.get, "/systems/sys-l3-boardroom/zones", as: .user).arrayValue ?? []
        #expect(zones.compactMap { $0["id"]?.stringValue } == ["zone-harbourpoint", "zone-hp-tower", "zone-hp-l3"])
        let complete = try await bed.json(.get, "/systems/sys-l3-boardroom?complete=true", as: .user)
        #expect(complete["module_data"]?.arrayValue?.count == 6)
        #expect(try await bed.send(.get, "/systems/sys-nope", as: .user).status == .notFound)
        #expect(try await bed.send(.get, "/modules", as: .user).status == .forbidden)
        #expect(try await bed.send(.get, "/systems", as: nil).status == .unauthorized)
    }

    @Test func settingsAreShownUpToTheReadersLevel() async throws {
        let bed = try Bed()
        let asSupport = try await bed.json(.get, "/drivers/driver-pjlink-projector", as: .support)
        let hidden = try #require(asSupport["settings"]?["admin"]?["password"]?.stringValue)
        #expect(hidden != "harbourpoint" && SecretBox.isEnvelope(hidden))
        #expect(asSupport["settings"]?["none"]?["input_default"]?.stringValue == "HDMI1")
        let asAdmin = try await bed.json(.get, "/drivers/driver-pjlink-projector", as: .admin)
        #expect(asAdmin["settings"]?["admin"]?["password"]?.stringValue == "harbourpoint")
        // never_display never leaves the server, not even for an admin.
        let head = bed.head
        let written = try await bed.send(.patch, "/systems/sys-l3-boardroom",
                                         #"{"settings": {"none": {"a": 1}, "admin": {"pin": "1234"}, "never_display": {"key": "k"}}}"#)
        #expect(written.status == .forbidden, "the form shows no never_display level to write")
        #expect(bed.head == head)
        let admin = try await bed.send(.patch, "/systems/sys-l3-boardroom", #"{"settings": {"none": {"a": 1}, "admin": {"pin": "1234"}}}"#)
        #expect(admin.status == .ok)
        let stored = try #require(try bed.sample.repository.headSnapshot().document(.system, "sys-l3-boardroom"))
        #expect(stored.object("settings")?["admin"]?["pin"]?.stringValue.map(SecretBox.isEnvelope) == true, "sealed in the file")
        let user = try await bed.json(.get, "/systems/sys-l3-boardroom", as: .user)
        #expect(user["settings"]?["admin"]?["pin"]?.stringValue != "1234")
        #expect(user["settings"]?["none"]?["a"]?.intValue == 1)
    }

    @Test func writesAreOneCommitByTheCallerWithVersionsAndPlaceOSStatuses() async throws {
        let bed = try Bed()
        let created = try await bed.send(.post, "/systems", #"{"name": "REST Room", "capacity": 4, "zones": ["zone-hp-l3"], "x_custom": {"k": 1}}"#)
        #expect(created.status == .created)
        let system = try JSONParser.parse(created.body)
        let id = try #require(system["id"]?.stringValue)
        #expect(id.hasPrefix("sys-") && system["version"]?.intValue == 0 && system["x_custom"]?["k"]?.intValue == 1)
        let commit = try bed.sample.repository.store.commitInfo(try #require(bed.head))
        #expect(commit.author.name == "Test admin" && commit.message.contains("REST Room"))

        let updated = try await bed.send(.put, "/systems/\(id)?version=0", #"{"capacity": 6, "description": null}"#, as: .support)
        #expect(updated.status == .ok, "\(updated.text)")
        #expect(try JSONParser.parse(updated.body)["version"]?.intValue == 1)
        #expect(try bed.sample.repository.store.commitInfo(try #require(bed.head)).author.name == "Test support")
        let head = bed.head
        let stale = try await bed.send(.put, "/systems/\(id)", #"{"capacity": 8, "version": 0}"#, as: .support)
        #expect(stale.status == .conflict)
        #expect(try JSONParser.parse(stale.body)["capacity"]?.intValue == 6, "409 carries the current object")
        let invalid = try await bed.send(.patch, "/systems/\(id)", #"{"capacity": "many", "zones": ["zone-nope"]}"#, as: .support)
        #expect(invalid.status == .unprocessableContent)
        let fields = try JSONParser.parse(invalid.body)["failures"]?.arrayValue?.compactMap { $0["field"]?.stringValue } ?? []
        #expect(fields.contains("capacity") && fields.contains { $0.hasPrefix("zones") })
        #expect(bed.head == head, "nothing written")
        let notJSON = try await bed.send(.post, "/systems", "{nope")
        #expect(notJSON.status == .badRequest)

        #expect(try await bed.send(.put, "/systems/\(id)/module/mod-l3-boardroom-hvac", as: .support).status == .ok)
        #expect(try bed.sample.repository.headSnapshot().document(.system, id).map { SystemView($0).moduleIDs } == ["mod-l3-boardroom-hvac"])
        #expect(try await bed.send(.delete, "/systems/\(id)/module/mod-l3-boardroom-hvac", as: .support).status == .ok)

        let deleted = try await bed.send(.delete, "/systems/\(id)", as: .support)
        #expect(deleted.status.code == 202)
        #expect(try await bed.send(.get, "/systems/\(id)").status == .notFound)
    }

    @Test func supportCannotWriteWhatTheFormWouldRefuse() async throws {
        let bed = try Bed()
        let head = bed.head
        #expect(try await bed.send(.patch, "/drivers/driver-pjlink-projector", #"{"description": "x"}"#, as: .support).status == .forbidden)
        #expect(try await bed.send(.post, "/drivers", #"{"name": "x"}"#, as: .support).status == .forbidden)
        #expect(try await bed.send(.delete, "/drivers/driver-pjlink-projector", as: .support).status == .forbidden)
        #expect(try await bed.send(.patch, "/systems/sys-l3-boardroom", #"{"capacity": 3}"#, as: .user).status == .forbidden)
        // Support may edit systems, but not an admin-level setting of one.
        #expect(try await bed.send(.patch, "/systems/sys-l3-boardroom", #"{"settings": {"admin": {"pin": "1"}}}"#, as: .support).status == .forbidden)
        #expect(bed.head == head)
        // A module's GET comes back unchanged through PUT: hidden levels round-trip.
        let module = try await bed.send(.get, "/modules/mod-l3-boardroom-projector-east", as: .support)
        let again = try await bed.send(.put, "/modules/mod-l3-boardroom-projector-east", module.text, as: .support)
        #expect(again.status == .ok && bed.head == head, "an unchanged object is no commit")
    }

    @Test func everyOtherKindRoundTripsThroughOneCommitEach() async throws {
        let bed = try Bed()
        let domain = "authority-harbourpoint"
        let bodies: [(String, String, String)] = [
            ("repositories", #"{"name": "R", "repo_type": "driver", "folder_name": "r", "uri": "https://example.com/r.git"}"#, "repo-"),
            ("triggers", #"{"name": "T"}"#, "trigger-"),
            ("users", #"{"name": "U", "email": "u@rest.example", "authority_id": "\#(domain)"}"#, "user-"),
            ("domains", #"{"name": "D", "domain": "rest.example"}"#, "authority-"),
            ("oauth_apps", #"{"name": "A", "owner_id": "\#(domain)", "redirect_uri": "https://rest.example/cb"}"#, "app-"),
            ("schema", #"{"name": "S", "schema": {"type": "object"}}"#, "schema-"),
            ("oauth_auths", #"{"name": "O", "authority_id": "\#(domain)", "client_id": "c", "site": "https://idp.rest.example", "client_secret": "s3cret"}"#, "oauth_strat-"),
            ("saml_auths", #"{"name": "S", "authority_id": "\#(domain)", "issuer": "https://rest.example/saml", "idp_sso_target_url": "https://idp.rest.example/sso", "idp_cert_fingerprint": "AB:CD"}"#, "adfs_strat-"),
            ("ldap_auths", #"{"name": "L", "authority_id": "\#(domain)", "port": 636, "password": "pw"}"#, "ldap_strat-"),
        ]
        for (resource, body, prefix) in bodies {
            let before = bed.head
            let created = try await bed.send(.post, "/\(resource)", body)
            #expect(created.status == .created, "\(resource): \(created.text)")
            let id = try #require(try JSONParser.parse(created.body)["id"]?.stringValue, "\(resource)")
            #expect(id.hasPrefix(prefix), "\(resource) made \(id)")
            #expect(try bed.sample.repository.store.commitInfo(try #require(bed.head)).parents == [try #require(before)])
            #expect(!created.text.contains("s3cret") && !created.text.contains("\"pw\""), "secrets leave only as ciphertext")
            let listed = try await bed.json(.get, "/\(resource)?limit=10000").arrayValue ?? []
            #expect(listed.contains { $0["id"]?.stringValue == id } && listed.allSatisfy { $0["id"]?.stringValue?.hasPrefix(prefix) == true })
            #expect(try await bed.send(.patch, "/\(resource)/\(id)", #"{"description": "changed"}"#).status == .ok, "\(resource)")
            #expect(try await bed.send(.delete, "/\(resource)/\(id)").status.code == 202, "\(resource)")
            #expect(try await bed.send(.get, "/\(resource)/\(id)").status == .notFound)
        }
        // An auth strategy is not reachable through another strategy's resource.
        let oauthCreated = try await bed.send(.post, "/oauth_auths", #"{"name": "O2", "authority_id": "\#(domain)", "client_id": "c", "site": "https://idp.rest.example"}"#)
        #expect(oauthCreated.status == .created, "\(oauthCreated.text)")
        let oauth = try JSONParser.parse(oauthCreated.body)
        #expect(try await bed.send(.get, "/saml_auths/\(oauth["id"]?.stringValue ?? "")").status == .notFound)
    }

    @Test func apiKeysUsersAndTheRoot() async throws {
        let bed = try Bed()
        let created = try await bed.send(.post, "/api_keys", #"{"name": "script", "user_id": "user-jamie", "scopes": ["systems.read"]}"#)
        #expect(created.status == .created, "\(created.text)")
        let key = try JSONParser.parse(created.body)
        let id = try #require(key["id"]?.stringValue)
        #expect(key["x_api_key"]?.stringValue?.hasPrefix(id + ".") == true && key["secret_hash"] == nil)
        #expect(try bed.sample.repository.headSnapshot().document(.apiKey, id)?.string("secret_hash") != nil)
        #expect(try await bed.json(.get, "/api_keys/\(id)")["x_api_key"] == nil)
        #expect(try await bed.send(.get, "/api_keys", as: .support).status == .forbidden)
        let inspected = try await bed.json(.get, "/api_keys/inspect", as: .user)
        #expect(inspected["sub"]?.stringValue == "user-test-user" && inspected["u"]?["p"]?.intValue == 0)

        let current = try await bed.json(.get, "/users/current", as: .user)
        #expect(current["id"]?.stringValue == "user-test-user" && current["sys_admin"]?.boolValue == false)
        let jamie = try await bed.json(.get, "/users/\(try #require(bed.sample.repository.headSnapshot().document(.user, "user-jamie")?.string("email")))", as: .support)
        #expect(jamie["id"]?.stringValue == "user-jamie")
        #expect(try await bed.send(.get, "/users", as: .user).status == .forbidden)

        #expect(try await bed.send(.get, "", as: nil).status == .ok)
        #expect(try await bed.json(.get, "/version", as: nil)["version"]?.stringValue == "dev")
        #expect(try await bed.json(.get, "/scopes").arrayValue?.contains("systems") == true)
        let node = try await bed.json(.get, "/cluster/core-local")
        #expect(node["id"]?.stringValue == "core-local" && node["module_instances"]?.intValue == 0)
    }

    @Test func settingsRecordsAreAViewOverTheLevels() async throws {
        let bed = try Bed()
        let chain = try await bed.json(.get, "/modules/mod-l3-boardroom-projector-east/settings", as: .support).arrayValue ?? []
        let driverAdmin = try #require(chain.first { $0["id"]?.stringValue == "sets-driver-pjlink-projector~admin" })
        #expect(driverAdmin["encryption_level"]?.intValue == 2 && driverAdmin["parent_type"]?.stringValue == "driver")
        #expect(driverAdmin["settings_string"]?.stringValue?.contains("harbourpoint\"") == false, "support sees ciphertext")
        #expect(chain.last?["parent_id"]?.stringValue == "mod-l3-boardroom-projector-east", "lowest precedence first")
        let record = try await bed.json(.get, "/settings/sets-driver-pjlink-projector~admin", as: .admin)
        #expect(record["settings_string"]?.stringValue?.contains("harbourpoint") == true)
        #expect(try await bed.send(.get, "/settings", as: .user).status == .forbidden)
        let parents = try await bed.json(.get, "/settings?parent_id=sys-l3-boardroom", as: .support).arrayValue ?? []
        #expect(parents.map { $0["id"]?.stringValue } == ["sets-sys-l3-boardroom~none"])

        let head = bed.head
        let written = try await bed.send(.put, "/settings/sets-sys-l3-boardroom~none", #"{"settings_string": "{\"vacancy_timeout_minutes\": 5}"}"#, as: .support)
        #expect(written.status == .ok, "\(written.text)")
        #expect(try bed.sample.repository.headSnapshot().document(.system, "sys-l3-boardroom")?.object("settings")?["none"]?["vacancy_timeout_minutes"]?.intValue == 5)
        #expect(bed.head != head)
        let after = bed.head
        #expect(try await bed.send(.post, "/settings", #"{"parent_id": "sys-l3-boardroom", "encryption_level": 2, "settings_string": "{}"}"#,
                                   as: .support).status == .forbidden)
        #expect(try await bed.send(.put, "/settings/sets-driver-pjlink-projector~none", #"{"settings_string": "{}"}"#, as: .support).status == .forbidden)
        #expect(bed.head == after)
        let created = try await bed.send(.post, "/settings", #"{"parent_id": "sys-l3-boardroom", "encryption_level": 2, "settings_string": "{\"pin\": \"9\"}"}"#)
        #expect(created.status == .created)
        #expect(try await bed.send(.delete, "/settings/sets-sys-l3-boardroom~admin").status.code == 202)
        #expect(try await bed.send(.get, "/settings/sets-sys-l3-boardroom~admin").status == .notFound)
    }

    @Test func metadataDetailsMergeAsAJSONMergePatch() throws {
        let stored = try JSONParser.parse(Array(#"{"a": 1, "b": {"c": 2, "d": 3}, "e": [1]}"#.utf8))
        let patch = try JSONParser.parse(Array(#"{"a": null, "b": {"c": 5}, "e": [2], "f": "new"}"#.utf8))
        #expect(RESTAPI.mergePatch(patch, onto: stored) == (try JSONParser.parse(Array(#"{"b": {"c": 5, "d": 3}, "e": [2], "f": "new"}"#.utf8))))
        #expect(RESTAPI.mergePatch(.array([]), onto: stored) == .array([]))
        #expect(RESTAPI.mergePatch(.object(["x": 1]), onto: nil) == .object(["x": 1]))
    }

    @Test func metadataIsUpsertedByParentWithItsOwnRules() async throws {
        let bed = try Bed()
        let before = bed.head
        #expect(try await bed.send(.patch, "/metadata/zone-hp-l1", #"{"name": "notes", "details": {}}"#, as: .user).status == .forbidden)
        #expect(bed.head == before)
        let created = try await bed.send(.patch, "/metadata/zone-hp-l1", #"{"name": "notes", "details": {"a": {"b": 1}}}"#, as: .support)
        #expect(created.status == .created)
        let merged = try await bed.json(.patch, "/metadata/zone-hp-l1", #"{"name": "notes", "details": {"a": {"c": 2}}}"#, as: .support)
        #expect(merged["details"] == (try JSONParser.parse(Array(#"{"a": {"b": 1, "c": 2}}"#.utf8))))
        #expect(merged["parent_id"] == "zone-hp-l1")
        let read = try await bed.json(.get, "/zones/zone-hp-l1/metadata?name=notes", as: .user)
        #expect(read["notes"]?["details"] == merged["details"])
    }

    @Test func noRouteShadowsAnother() throws {
        let sample = try SampleRepository()
        let site = try SiteService.render(repository: sample.repository, library: try TemplateLibrary(directory: Checkout.siteTemplates),
                                          templatesDirectory: Checkout.siteTemplates, siteDirectory: sample.root.path + "/site",
                                          stateDirectory: sample.stateDirectory)
        let engine = RuntimeEngine(configuration: RuntimeConfiguration(), repository: nil, secretBox: SampleSecrets.box)
        var router = Router()
        site.mount(on: &router)
        for feature: any Feature in [ControlAPI(engine: engine), EngineAPI(engine: engine), RESTAPI(repository: sample.repository, engine: engine)] {
            feature.mount(on: &router)
        }
        // Two routes of one method shadow each other when they match the same paths: the same
        // segments with only the parameter names differing.
        var seen: [String: RouteKey] = [:]
        for key in router.routeKeys {
            let shape = key.method.rawValue + " " + key.pattern.split(separator: "/").map { $0.hasPrefix(":") ? ":" : String($0) }.joined(separator: "/")
            #expect(seen[shape] == nil, "\(key) shadows \(seen[shape].map(\.description) ?? "")")
            seen[shape] = key
        }
        #expect(seen.count > 40)
    }
}
