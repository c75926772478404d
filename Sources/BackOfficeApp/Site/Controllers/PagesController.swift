import Auth
import ConfigRepo
import Foundation
import SiteGen
import WebServer

/// The site's pages as they are read: the pre-rendered pages (with the banner, flash messages,
/// live marks and per-reader parts put in), list pages and searches, and the assets.
struct PagesController: Feature {
    let site: SiteService

    func mount(on router: inout Router) {
        // The stylesheet, script and icon: public, so the sign-in page (same look) can load them.
        router.add(.get, "/backoffice/assets/*", immediate: { [site] request in try site.pages.files.respond(to: request) })
        router.get("/backoffice/*", blocking: site.signedIn { [self] request in try page(request) })
        router.get("/backoffice", blocking: site.signedIn { [self] request in try page(request) })
    }

    /// GET under /backoffice: a search or a list page, else a pre-rendered page, else a file of
    /// the site directory.
    func page(_ request: Request) throws -> Response {
        let segments = Array(request.pathSegments.dropFirst())
        if segments.count == 1, let kind = SiteKinds.kind(segment: segments[0]) {
            if (["q", "zone"] + ModuleFilter.parameters).contains(where: { request.query($0) != nil }) {
                return try search(kind, request)
            }
            if let number = request.query("page").flatMap(Int.init), number > 1 {
                return try prerendered(.list(kind, page: number), request)
            }
        }
        guard let (key, canonical) = PageKey.page(segments: segments, trailingSlash: request.path.hasSuffix("/")) else {
            return try site.pages.files.respond(to: request)
        }
        guard canonical || segments.isEmpty else {
            let path = request.path.hasSuffix("/") ? String(request.path.dropLast()) : request.path + "/"
            return .redirect(to: path, status: .movedPermanently)
        }
        return try prerendered(key, request)
    }

    /// A pre-rendered page: the file as is (validators, 304) when there are no notices, else
    /// with the notices put in place of the marker.
    private func prerendered(_ key: PageKey, _ request: Request) throws -> Response {
        site.pages.catchUp()
        let path = site.pages.directory + "/" + key.file
        if case .detail(let ref) = key { return try detailPage(ref, path: path, request, live: LiveMarks.applies(to: key)) }
        let notices = notices(for: request)
        func asFile() throws -> Response {
            let target = "/backoffice/" + key.file
            let rewritten = try Request(method: request.method, target: target, headers: request.headers, id: request.id)
            guard FileManager.default.fileExists(atPath: path) else { throw HTTPError(.notFound, "no page at \(request.path)") }
            return try site.pages.files.respond(to: rewritten)
        }
        var live = LiveMarks.applies(to: key) ? site.runtime : nil
        guard notices != nil || live != nil else { return try asFile() }
        // Cut once per file version (`PageCuts`): a request copies bytes between the holes.
        guard let cuts = site.pageCuts.cuts(of: path) else { throw HTTPError(.notFound, "no page at \(request.path)") }
        if live != nil, !cuts.hasLiveMarks {
            live = nil
            if notices == nil { return try asFile() }
        }
        let page = cuts.assemble(PageCuts.Fill(notices: notices, live: live.map(LiveMarks.Source.init(engine:))))
        // Without notices the page is the same for every reader: keep a validator.
        if live != nil, notices == nil { return ContentTag.response(page, for: request) }
        return site.html(page)
    }

    /// A pre-rendered detail page with its per-reader parts put in: the settings block for the
    /// reader's role, and on a user's page the permissions and access history. Such a page is
    /// never served from the file as is (it differs by reader), so it is sent `no-store`.
    private func detailPage(_ ref: ObjectRef, path: String, _ request: Request, live: Bool) throws -> Response {
        guard let cuts = site.pageCuts.cuts(of: path) else { throw HTTPError(.notFound, "no page at \(request.path)") }
        var fill = PageCuts.Fill(notices: notices(for: request))
        var setCookie: String?
        var perReader = false
        if cuts.has(.settings) {
            fill.settings = try settingsBlock(ref, request)
            perReader = true
        }
        if cuts.has(.brokerState) {
            let status = site.runtime?.mqtt.brokers().first { $0.id == ref.id }
            fill.brokerState = String(decoding: try site.library.render("broker-state", .object(BrokerStatePanel.values(status))), as: UTF8.self)
            perReader = true   // live: never served from the file or with a validator
        }
        if cuts.has(.userPanel) {
            let (panel, cookie) = try UsersController(site: site).panel(ref, request)
            fill.userPanel = panel
            setCookie = cookie
            perReader = true
        }
        if cuts.has(.triggerPanel) {
            let (panel, cookie) = try TriggerInstancesController(site: site).panel(ref, request)
            fill.triggerPanel = panel
            if let cookie { setCookie = cookie }
            // A system's panel is the same for every reader; a trigger's carries switches and secrets.
            if ref.kind != .system { perReader = true }
        }
        if cuts.has(.operatePanel) {
            // Start, stop and the functions, offered as the reader may use them (form tokens): per reader.
            let (panel, cookie) = try OperateController(site: site).panel(ref, request)
            fill.operatePanel = panel
            if let cookie { setCookie = cookie }
            if !panel.isEmpty { perReader = true }
        }
        if live, let engine = site.runtime {
            fill.live = LiveMarks.Source(engine: engine)
            // Live state is the same for every reader: keep a validator unless the page has per-reader parts.
            if !perReader && fill.notices == nil && setCookie == nil { return ContentTag.response(cuts.assemble(fill), for: request) }
        }
        guard perReader || fill.notices != nil else {
            let rewritten = try Request(method: request.method, target: "/backoffice/" + PageKey.detail(ref).file, headers: request.headers, id: request.id)
            return try site.pages.files.respond(to: rewritten)
        }
        return site.html(cuts.assemble(fill), setCookie: setCookie)
    }

    /// The object's settings as the reader's role may see them (`SettingsPresenter`).
    private func settingsBlock(_ ref: ObjectRef, _ request: Request) throws -> String {
        guard let document = try site.head().document(ref), let settings = document["settings"] else { return "" }
        let value = SettingsPresenter.levels(settings, objectID: ref.id, box: site.repository.secretBox, role: request.principal.role)
        return String(decoding: try site.library.render("settings-view", value), as: UTF8.self)
    }

    /// The banner and flash message for this request; nil when there is nothing to show.
    private func notices(for request: Request) -> String? {
        var notices = site.pages.currentBanner.text
        if let saved = site.savedNotice(request) { notices += saved.text }
        if let deleted = request.query("deleted") {
            notices += Notices.message("Deleted \(deleted).").text
        }
        return notices.isEmpty ? nil : notices
    }

    /// Whether a module is online: the runtime's live state when one is attached, else the configured state.
    private var onlineState: ModuleOnlineState {
        guard let engine = site.runtime else { return site.moduleState }
        return ModuleOnlineState { engine.isOnline($0.id) }
    }

    /// A list filtered on the server: `q` (name, id, IP, email…), `zone` (systems), `name`, `ip`
    /// and `state` (modules, `ModuleFilter`; online from `onlineState`).
    private func search(_ kind: Kind, _ request: Request) throws -> Response {
        let snapshot = try site.head()
        let query = request.query("q").flatMap { $0.isEmpty ? nil : $0 }
        var candidates = snapshot.unordered(kind)
        var extra: [String] = []
        if let zone = request.query("zone"), !zone.isEmpty, kind == .system {
            let members = Set(snapshot.systems(inZone: zone))
            candidates = candidates.filter { members.contains($0.id) }
            extra.append("zone=" + FormEncoding.encode(zone))
        }
        var moduleFilter = ModuleFilter()
        if kind == .module {
            moduleFilter = ModuleFilter(query: { request.query($0) })
            if !moduleFilter.isEmpty {
                let state = onlineState
                candidates = candidates.filter { moduleFilter.matches($0, in: snapshot, state: state) }
                extra.append(moduleFilter.queryString)
            }
        }
        if let query { candidates = candidates.filter { ListColumns.matches($0, query: query, in: snapshot) } }
        let ids = candidates.map(\.id).sorted()
        let page = Int(request.query("page") ?? "") ?? 1
        let bytes = try site.renderer(snapshot).renderList(kind, ids: ids, page: page, query: query,
                                                           extraQuery: extra.joined(separator: "&"), moduleFilter: moduleFilter)
        if kind == .module, let engine = site.runtime {
            return site.html(Array(LiveMarks.fill(String(decoding: bytes, as: UTF8.self), engine: engine).utf8))
        }
        return site.html(bytes)
    }
}
