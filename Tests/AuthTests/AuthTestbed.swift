import ConfigRepo
import Foundation
import SiteGen
import TestSupport
@testable import Auth
@testable import WebServer

/// A throwaway identity world: one domain, an admin, a support user, a user, API keys and an
/// OAuth app, an AuthService over a temporary state directory, and the router `serve` builds.
final class AuthTestbed: @unchecked Sendable {
    let state: String
    let service: AuthService
    var router: Router
    let now = 1_800_000_000
    static let password = "correct horse battery"
    let narrowKey: String
    let expiredKey: String
    let elevatingKey: String

    init(policy: AccessPolicy = .standard, extraRoutes: (inout Router) -> Void = { _ in }) throws {
        state = NSTemporaryDirectory() + "auth-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: state + "/site", withIntermediateDirectories: true)
        var files: [String: JSONValue] = [
            "domains/authority-test.json": ["name": "Test", "domain": "localhost"],
            "domains/authority-other.json": ["name": "Other", "domain": "other.example"],
            "users/user-admin.json": ["name": "Ada", "email": "ada@test.example", "authority_id": "authority-test", "sys_admin": true, "support": true],
            "users/user-support.json": ["name": "Sam", "email": "sam@test.example", "authority_id": "authority-test", "support": true],
            "users/user-plain.json": ["name": "Uma", "email": "uma@test.example", "authority_id": "authority-test"],
            "users/user-foreign.json": ["name": "Fay", "email": "fay@other.example", "authority_id": "authority-other"],
            "applications/app-spa.json": ["name": "SPA", "owner_id": "authority-test", "redirect_uri": "http://localhost/cb", "scopes": "public"],
            // Systems that exist (the access history records only those).
            "systems/sys-1.json": ["name": "One"], "systems/sys-7.json": ["name": "Seven"],
            "systems/sys-8.json": ["name": "Eight"], "systems/sys-9.json": ["name": "Nine"],
        ]
        func key(_ id: String, user: String, scopes: [String], expires: Int? = nil, permissions: Int? = nil) -> String {
            let (secret, hash) = APIKeySecret.make(id: id)
            var members: [String: JSONValue] = ["name": .string(id), "user_id": .string(user), "scopes": .array(scopes.map(JSONValue.string)),
                                                "secret_hash": .string(hash)]
            if let expires { members["expires_at"] = .int(expires) }
            if let permissions { members["permissions"] = .int(permissions) }
            files["api-keys/\(id).json"] = .object(members)
            return id + "." + secret
        }
        narrowKey = key("key-narrow", user: "user-admin", scopes: ["systems.read"])
        expiredKey = key("key-expired", user: "user-admin", scopes: ["public"], expires: now - 1)
        elevatingKey = key("key-elevate", user: "user-plain", scopes: ["public"], permissions: 2)
        var counter = 0
        let repoFiles = files.map { path, value -> RepoFile in
            counter += 1
            let hex = String(counter, radix: 16)
            return RepoFile(path: path, blob: ObjectID(hex: String(repeating: "0", count: 40 - hex.count) + hex)!,
                            bytes: JSONWriter.canonicalBytes(value))
        }
        let snapshot = Snapshot(commit: nil, files: repoFiles)
        let now = self.now
        service = try AuthService(stateDirectory: state, repository: nil, directory: DirectoryCache(snapshot: snapshot), policy: policy,
                                  logger: Logger(level: .off), hasher: .fastForTests, templates: Self.templates, clock: { now })
        for id in ["user-admin", "user-support", "user-plain", "user-foreign"] {
            try service.passwords.set(PasswordHasher.fastForTests.hash(Self.password), for: id)
        }
        // The router as `serve` builds it.
        router = Router()
        router.addHealthCheck(version: "test")
        router.get("/backoffice/assets/*") { _ in .text("asset") }
        router.mountStatic("/backoffice", directory: state + "/site")
        // Some of the site's form routes, as its controllers register them.
        for action in ["new", ":id/edit", ":id/delete", ":id/revert"] {
            router.post("/backoffice/:kind/" + action) { _ in .text("saved") }
        }
        router.post("/backoffice/users/:id/permissions") { _ in .text("saved") }
        router.add(.get, "/", immediate: { _ in .redirect(to: "/backoffice/", status: .found) })
        extraRoutes(&router)
        service.install(on: &router)
    }

    deinit { try? FileManager.default.removeItem(atPath: state) }

    /// The repository's `site-templates/` (sign-in, consent and first-admin pages).
    static let templates: TemplateLibrary? = try? TemplateLibrary(directory: Checkout.siteTemplates)

    func sessionCookie(_ userID: String) -> String {
        "bo_session=" + service.sessions.create(userID: userID, domainID: "authority-test", now: now).id
    }

    func request(_ method: HTTPMethod, _ target: String, headers: [(String, String)] = [], form: [String: String]? = nil) throws -> Request {
        var fields = HTTPHeaders()
        fields.add("host", "localhost:8080")
        for (name, value) in headers { fields.add(name, value) }
        var body: [UInt8] = []
        if let form {
            fields.add("content-type", "application/x-www-form-urlencoded")
            body = Array(form.map { FormEncoding.encode($0.key) + "=" + FormEncoding.encode($0.value) }.joined(separator: "&").utf8)
        }
        return try Request(method: method, target: target, headers: fields, body: body)
    }

    func send(_ method: HTTPMethod, _ target: String, headers: [(String, String)] = [], form: [String: String]? = nil) async throws -> Response {
        await router.respond(to: try request(method, target, headers: headers, form: form))
    }

    func token(for userID: String, role: Role, scopes: [String] = ["public"], issuedAt: Int? = nil, audience: String = "localhost") -> String {
        service.jwt.sign(AccessTokenClaims(issuedAt: issuedAt ?? now, expiresAt: (issuedAt ?? now) + 3600, audience: audience,
                                           subject: userID, scopes: scopes, name: "", email: "", role: role))
    }
}

extension Response {
    var text: String { String(decoding: body, as: UTF8.self) }
    func cookie(_ name: String) -> String? {
        for value in headers.values("set-cookie") where value.hasPrefix(name + "=") {
            return String(value.dropFirst(name.count + 1).prefix { $0 != ";" })
        }
        return nil
    }
}
