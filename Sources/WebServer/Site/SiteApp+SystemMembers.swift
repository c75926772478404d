import ConfigRepo
import Foundation
import SiteGen

/// A system's Modules and Zones tabs, editable: `GET /backoffice/systems/ID/modules` (or
/// `/zones`) shows the ordered list with up, down and remove buttons and an add form; each
/// POST makes one change as one commit and answers 303 back to that page.
extension SiteApp {
    /// Access rules for the routes the site adds beyond `AccessPolicy.standard`'s form routes:
    /// changing a system's lists needs an editor of the kind (systems). `serve` adds them.
    public static func addAccessRules(to policy: inout AccessPolicy) {
        for list in SystemMembership.List.allCases {
            policy.set(.post, "/backoffice/:kind/:id/" + list.rawValue, AccessRule(.editorOfKind(parameter: "kind")))
        }
        addDeploymentAccessRules(to: &policy)
    }

    static let staleMembersPage = "Someone changed this system since you opened this page; nothing was saved. The list below is the current one."

    func membersPage(_ systemID: String, _ list: SystemMembership.List, _ request: Request, error: String? = nil,
                     status: HTTPStatus = .ok) throws -> Response {
        let snapshot = try head()
        guard let system = snapshot.document(.system, systemID) else { throw HTTPError(.notFound, "system \(systemID) does not exist") }
        let (token, cookie) = token(for: request, purpose: SiteURL.members(system: systemID, list))
        let flash = savedNotice(request)
        let values = SystemMembersPage(snapshot: snapshot).values(system: system, list: list, token: token,
                                                                  version: system.version?.hex, error: error)
        let title = (list == .modules ? "Modules of " : "Zones of ") + ObjectLabels.name(system, in: snapshot)
        return html(try renderer(snapshot, flash: flash).page("system-members", title: title, kind: .system, values),
                    status: status, setCookie: cookie)
    }

    func changeMembers(_ request: Request, _ list: SystemMembership.List) async throws -> Response {
        guard try kind(request) == .system else { throw HTTPError(.notFound, "only systems have module and zone lists") }
        let systemID = request.parameter("id") ?? ""
        let submission = FormSubmission(request)
        try checkToken(request, submission)
        let snapshot = try head()
        guard var system = snapshot.document(.system, systemID) else {
            return try message("Not saved", "system \(systemID) was deleted; nothing was saved.", status: .conflict, back: SiteURL.list(.system))
        }
        guard let change = SystemMembership(list: list, action: submission["action"], memberID: submission["member"]) else {
            return try membersPage(systemID, list, request, error: "Choose an action (add, remove, up, down) and a \(list.kind.noun).",
                                   status: .unprocessableContent)
        }
        // The page says which version of the system it showed; a different current version is a conflict.
        let shown = submission["_version"].flatMap(ObjectID.init(hex:))
        if shown != system.version {
            return try membersPage(systemID, list, request, error: Self.staleMembersPage, status: .conflict)
        }
        let changed: ConfigDocument
        switch change.apply(to: system, in: snapshot) {
        case .success(let document): changed = document
        case .failure(let refusal):
            return try membersPage(systemID, list, request, error: "Not saved: \(refusal.message).", status: .unprocessableContent)
        }
        system = changed
        system.version = shown
        let result: WriteResult
        do {
            result = try repository.apply([.save(system)], author: request.principal.signature,
                                          message: change.message(system: changed, in: snapshot), actingAs: request.principal.role)
        } catch .notPermitted(let refused) {
            return try membersPage(systemID, list, request, error: "Not saved: " + refused.map(\.description).joined(separator: "; "),
                                   status: .forbidden)
        } catch .conflict {
            return try membersPage(systemID, list, request, error: Self.staleMembersPage, status: .conflict)
        } catch .invalid(let problems) {
            return try membersPage(systemID, list, request, error: "Not saved: " + problems.map(\.description).joined(separator: "; "),
                                   status: .unprocessableContent)
        } catch {
            throw HTTPError(.internalServerError, "the configuration store failed: \(error)")
        }
        refreshSoon()
        return .redirect(to: SiteURL.members(system: systemID, list) + "?saved=" + result.commit.id.hex)
    }
}
