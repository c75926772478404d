import Auth
import Foundation
@testable import BackOfficeApp
import ConfigRepo
import SiteGen
import TestSupport
import Testing
import WebServer

/// The site as `serve` mounts it, in process, on a real repository of the sample building: every
/// controller through the router and the request pipeline, no socket. `RoleHeaderGate` makes each
/// request the signed-in user of a role (`as:`), one browser session per role, so form tokens work
/// as in a browser.
final class SiteTestbed: Sendable {
    let sample: SampleRepository
    let site: SiteService
    let router: Router

    init() throws {
        sample = try SampleRepository()
        site = try SiteService.render(repository: sample.repository, library: try TemplateLibrary(directory: Checkout.siteTemplates),
                                      templatesDirectory: Checkout.siteTemplates, siteDirectory: sample.root.path + "/site",
                                      stateDirectory: sample.stateDirectory)
        var router = Router()
        site.mount(on: &router)
        router.gate = RoleHeaderGate.gate
        self.router = router
    }

    var repository: ConfigRepository { sample.repository }

    func document(_ kind: Kind, _ id: String) throws -> ConfigDocument? { try repository.headSnapshot().document(kind, id) }

    func get(_ target: String, as role: Role? = .admin) async throws -> Response {
        await router.respond(to: try Request(method: .get, target: target, headers: headers(role)))
    }

    func post(_ target: String, _ fields: [String: String], as role: Role? = .admin) async throws -> Response {
        var headers = headers(role)
        headers.add("content-type", "application/x-www-form-urlencoded")
        let body = fields.map { FormEncoding.encode($0.key) + "=" + FormEncoding.encode($0.value) }.joined(separator: "&")
        return await router.respond(to: try Request(method: .post, target: target, headers: headers, body: Array(body.utf8)))
    }

    /// Opens the page at `page` like a browser, takes the fields of its form that posts to
    /// `action` (token, version and every input as shown), applies `changes`, and posts it.
    func submit(_ page: String, action: String? = nil, changes: [String: String] = [:], as role: Role = .admin) async throws -> Response {
        let shown = try await get(page, as: role)
        #expect(shown.status == .ok, "GET \(page): \(shown.status)")
        let action = action ?? page.split(separator: "?").first.map(String.init) ?? page
        var fields = try #require(HTMLForm(shown.text, action: action), "no form posting to \(action) on \(page)").fields
        for (name, value) in changes { fields[name] = value }
        return try await post(action, fields, as: role)
    }

    private func headers(_ role: Role?) -> HTTPHeaders { RoleHeaderGate.headers(role) }
}

/// The tests' gate: a request is the signed-in user of the role its `x-test-role` header names
/// (`admin`, `support`, `user`; one browser session per role), anonymous without one.
enum RoleHeaderGate {
    static let header = "x-test-role"

    static let gate: RequestGate = { request, _ in
        if let name = request.headers[header], let role = Role(rawValue: name) {
            request.principal = Principal(userID: "user-test-\(name)", name: "Test \(name)", email: "\(name)@test.example",
                                          role: role, sessionID: "session-\(name)", credential: .session)
        }
        return nil
    }

    static func headers(_ role: Role?) -> HTTPHeaders {
        var headers = HTTPHeaders()
        if let role { headers.add(header, role.rawValue) }
        return headers
    }
}

extension Response {
    var text: String { String(decoding: body, as: UTF8.self) }
    var location: String? { headers["location"] }
}

/// The fields a browser would post from one form of a page: hidden, text and number inputs,
/// checked checkboxes, textareas and the selected option of each select.
struct HTMLForm {
    var fields: [String: String] = [:]

    init?(_ page: String, action: String) {
        guard let start = page.range(of: "action=\"\(action)\"") else { return nil }
        let rest = page[start.upperBound...]
        let form = rest[..<(rest.range(of: "</form>")?.lowerBound ?? rest.endIndex)]
        for tag in Self.tags("input", in: form) {
            guard let name = Self.attribute("name", in: tag) else { continue }
            let type = Self.attribute("type", in: tag) ?? "text"
            if type == "checkbox" {
                if tag.contains(" checked") { fields[name] = Self.attribute("value", in: tag) ?? "on" }
            } else if type != "submit" {
                fields[name] = Self.attribute("value", in: tag) ?? ""
            }
        }
        var scan = form[...]
        while let open = scan.range(of: "<textarea") {
            let tagEnd = scan[open.upperBound...].firstIndex(of: ">")!
            let tag = String(scan[open.lowerBound...tagEnd])
            let close = scan[tagEnd...].range(of: "</textarea>")!
            if let name = Self.attribute("name", in: tag) { fields[name] = Self.unescape(String(scan[scan.index(after: tagEnd)..<close.lowerBound])) }
            scan = scan[close.upperBound...]
        }
        scan = form[...]
        while let open = scan.range(of: "<select") {
            let close = scan[open.upperBound...].range(of: "</select>")!
            let select = String(scan[open.lowerBound..<close.lowerBound])
            if let name = Self.attribute("name", in: select) {
                let selected = Self.tags("option", in: select[...]).first { $0.contains(" selected") } ?? Self.tags("option", in: select[...]).first
                fields[name] = selected.flatMap { Self.attribute("value", in: $0) } ?? ""
            }
            scan = scan[close.upperBound...]
        }
    }

    private static func tags(_ name: String, in text: Substring) -> [String] {
        var tags: [String] = []
        var scan = text
        while let open = scan.range(of: "<" + name + " ") {
            guard let end = scan[open.upperBound...].firstIndex(of: ">") else { break }
            tags.append(String(scan[open.lowerBound...end]))
            scan = scan[scan.index(after: end)...]
        }
        return tags
    }

    private static func attribute(_ name: String, in tag: String) -> String? {
        guard let start = tag.range(of: " " + name + "=\"") else { return nil }
        let rest = tag[start.upperBound...]
        return rest.firstIndex(of: "\"").map { unescape(String(rest[..<$0])) }
    }

    private static func unescape(_ text: String) -> String {
        text.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&amp;", with: "&")
    }
}
