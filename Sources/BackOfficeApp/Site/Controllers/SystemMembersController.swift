import Auth
import ConfigRepo
import SiteGen
import WebServer

/// A system's Modules and Zones tabs, editable: `GET /backoffice/systems/ID/modules` (or
/// `/zones`) shows the ordered list with up, down and remove buttons and an add form; each
/// POST makes one change as one commit and answers 303 back to that page.
struct SystemMembersController: Feature {
    let site: SiteService

    static let stalePage = "Someone changed this system since you opened this page; nothing was saved. The list below is the current one."

    func mount(on router: inout Router) {
        for list in SystemMembership.List.allCases {
            router.get("/backoffice/:kind/:id/" + list.rawValue, blocking: site.signedIn { [self] request in
                try page(try systemID(request), list, request)
            })
            router.post("/backoffice/:kind/:id/" + list.rawValue, blocking: site.signedIn { [self] request in try change(request, list) })
        }
    }

    /// The system the request names; only systems have these lists, and only their editors see them.
    private func systemID(_ request: Request) throws -> String {
        guard try site.kind(request) == .system else { throw HTTPError(.notFound, "only systems have module and zone lists") }
        guard request.principal.mayEdit(.system) else { throw HTTPError(.forbidden, "you do not have access to this") }
        return request.parameter("id") ?? ""
    }

    func page(_ systemID: String, _ list: SystemMembership.List, _ request: Request, error: String? = nil,
              status: HTTPStatus = .ok) throws -> Response {
        let snapshot = try site.head()
        guard let system = snapshot.document(.system, systemID) else { throw HTTPError(.notFound, "system \(systemID) does not exist") }
        // One browser binding for every form of the page: the list's and Start all / Stop all.
        let ref = ObjectRef(.system, systemID)
        let (tokens, cookie) = site.tokens.issue(for: request, purposes: [SiteURL.members(system: systemID, list)] + OperatePanel.paths(ref))
        var values = SystemMembersPage(snapshot: snapshot).values(system: system, list: list, token: tokens[SiteURL.members(system: systemID, list)] ?? "",
                                                                  version: system.version?.hex, error: error)
        if list == .modules {
            values["operatePanel"] = .html(TrustedHTML(trusted: try OperateController(site: site).panel(ref, request, tokens: tokens).html))
        }
        let title = (list == .modules ? "Modules of " : "Zones of ") + ObjectLabels.name(system, in: snapshot)
        let page = try site.renderer(snapshot, flash: site.savedNotice(request)).page("system-members", title: title, kind: .system, values)
        return site.html(site.live(page),
                         status: status, setCookie: cookie)
    }

    func change(_ request: Request, _ list: SystemMembership.List) throws -> Response {
        let systemID = try systemID(request)
        let submission = try URLEncodedForm(request)
        try site.tokens.check(request, submission)
        let snapshot = try site.head()
        guard var system = snapshot.document(.system, systemID) else {
            return try site.message("Not saved", "system \(systemID) was deleted; nothing was saved.", status: .conflict, back: SiteURL.list(.system))
        }
        guard let change = SystemMembership(list: list, action: submission["action"], memberID: submission["member"],
                                            position: submission["position"]) else {
            return try page(systemID, list, request, error: "Choose an action (add, remove, up, down, or move with a position) and a \(list.kind.noun).",
                            status: .unprocessableContent)
        }
        // The page says which version of the system it showed; a different current version is a conflict.
        let shown = submission["_version"].flatMap(ObjectID.init(hex:))
        if shown != system.version {
            return try page(systemID, list, request, error: Self.stalePage, status: .conflict)
        }
        let changed: ConfigDocument
        switch change.apply(to: system, in: snapshot) {
        case .success(let document): changed = document
        case .failure(let refusal):
            return try page(systemID, list, request, error: "Not saved: \(refusal.message).", status: .unprocessableContent)
        }
        system = changed
        system.version = shown
        let result: WriteResult
        do {
            result = try site.repository.apply([.save(system)], author: request.principal.signature,
                                               message: change.message(system: changed, in: snapshot), actingAs: request.principal.role)
        } catch {
            let refusal = WriteRefusal(error, .save, subject: "this system")
            if case .conflict = error { return try page(systemID, list, request, error: Self.stalePage, status: .conflict) }
            guard refusal.status != .internalServerError else { return try site.message(refusal) }
            return try page(systemID, list, request, error: refusal.message, status: refusal.status)
        }
        site.refreshSoon()
        return .redirect(to: SiteURL.members(system: systemID, list) + "?saved=" + result.commit.id.hex)
    }
}
