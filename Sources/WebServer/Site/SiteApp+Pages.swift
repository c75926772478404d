import ConfigRepo
import Foundation
import SiteGen

extension SiteApp {
    /// GET under /backoffice: the per-request pages (forms, history, search), else the
    /// pre-rendered pages (with the banner and flash messages put in when there are any), else
    /// the files of the site directory (assets).
    func get(_ request: Request) throws -> Response {
        let segments = Array(request.pathSegments.dropFirst())
        if let first = segments.first, let kind = SiteKinds.kind(segment: first) {
            // Forms only for those who may submit them (the POST is refused by the access policy).
            let isForm = (segments.count == 2 && segments[1] == "new") || (segments.count == 3 && ["edit", "delete", "modules", "zones"].contains(segments[2]))
            if isForm, !request.principal.mayEdit(kind) { throw HTTPError(.forbidden, "you do not have access to this") }
            switch segments.count {
            case 1 where (["q", "zone"] + ModuleFilter.parameters).contains(where: { request.query($0) != nil }):
                return try search(kind, request)
            case 1:
                if let number = request.query("page").flatMap(Int.init), number > 1 {
                    return try page(.list(kind, page: number), request)
                }
            case 2 where segments[1] == "new":
                return try newForm(kind, request)
            case 3:
                let ref = ObjectRef(kind, segments[1])
                switch segments[2] {
                case "edit": return try editForm(ref, request)
                case "delete": return try deleteForm(ref, request)
                case "history": return try history(ref, request, error: nil)
                case "modules" where kind == .system: return try membersPage(ref.id, .modules, request)
                case "zones" where kind == .system: return try membersPage(ref.id, .zones, request)
                case "settings" where kind == .module: return try effectiveSettingsPage(ref.id, request)
                default: break
                }
            default: break
            }
        }
        guard let (key, canonical) = PageKey.page(segments: segments, trailingSlash: request.path.hasSuffix("/")) else {
            return try files.respond(to: request)
        }
        guard canonical || segments.isEmpty else {
            let path = request.path.hasSuffix("/") ? String(request.path.dropLast()) : request.path + "/"
            return .redirect(to: path, status: .movedPermanently)
        }
        return try page(key, request)
    }

    /// A pre-rendered page: the file as is (validators, 304) when there are no notices, else
    /// with the notices put in place of the marker.
    private func page(_ key: PageKey, _ request: Request) throws -> Response {
        catchUp()
        let path = siteDirectory + "/" + key.file
        if case .detail(let ref) = key { return try detailPage(ref, path: path, request, live: LiveMarks.applies(to: key)) }
        let notices = notices(for: request)
        func asFile() throws -> Response {
            let target = "/backoffice/" + key.file
            let rewritten = try Request(method: request.method, target: target, headers: request.headers, id: request.id)
            guard FileManager.default.fileExists(atPath: path) else { throw HTTPError(.notFound, "no page at \(request.path)") }
            return try files.respond(to: rewritten)
        }
        var live = LiveMarks.applies(to: key) ? runtime : nil
        guard notices != nil || live != nil else { return try asFile() }
        // Cut once per file version (`PageCuts`): a request copies bytes between the holes.
        guard let cuts = pageCuts.cuts(of: path) else { throw HTTPError(.notFound, "no page at \(request.path)") }
        if live != nil, !cuts.hasLiveMarks {
            live = nil
            if notices == nil { return try asFile() }
        }
        let page = cuts.assemble(PageCuts.Fill(notices: notices, live: live.map(LiveMarks.Source.init(engine:))))
        // Without notices the page is the same for every reader: keep a validator.
        if live != nil, notices == nil { return ContentTag.response(page, for: request) }
        return html(page)
    }

    /// A pre-rendered detail page with its per-reader parts put in: the settings block for the
    /// reader's role, and on a user's page the permissions and access history. Such a page is
    /// never served from the file as is (it differs by reader), so it is sent `no-store`.
    private func detailPage(_ ref: ObjectRef, path: String, _ request: Request, live: Bool) throws -> Response {
        guard let cuts = pageCuts.cuts(of: path) else { throw HTTPError(.notFound, "no page at \(request.path)") }
        var fill = PageCuts.Fill(notices: notices(for: request))
        var setCookie: String?
        var perReader = false
        if cuts.has(.settings) {
            fill.settings = try settingsBlock(ref, request)
            perReader = true
        }
        if cuts.has(.userPanel) {
            let (panel, cookie) = try userPanel(ref, request)
            fill.userPanel = panel
            setCookie = cookie
            perReader = true
        }
        if live, let engine = runtime {
            fill.live = LiveMarks.Source(engine: engine)
            // Live state is the same for every reader: keep a validator unless the page has per-reader parts.
            if !perReader && fill.notices == nil && setCookie == nil { return ContentTag.response(cuts.assemble(fill), for: request) }
        }
        guard perReader || fill.notices != nil else {
            let rewritten = try Request(method: request.method, target: "/backoffice/" + PageKey.detail(ref).file, headers: request.headers, id: request.id)
            return try files.respond(to: rewritten)
        }
        return html(cuts.assemble(fill), setCookie: setCookie)
    }

    /// The object's settings as the reader's role may see them (`SettingsPresenter`).
    private func settingsBlock(_ ref: ObjectRef, _ request: Request) throws -> String {
        guard let document = try head().document(ref), let settings = document["settings"] else { return "" }
        let value = SettingsPresenter.levels(settings, objectID: ref.id, box: repository.secretBox, role: request.principal.role)
        return String(decoding: try library.render("settings-view", value), as: UTF8.self)
    }

    /// "Saved as commit …" after a form's 303 (`?saved=<commit>`).
    func savedNotice(_ request: Request) -> TrustedHTML? {
        guard let saved = request.query("saved"), let id = ObjectID(hex: saved), let info = try? repository.store.commitInfo(id) else { return nil }
        let subject = CommitMessage.visibleSubject(info.subject, to: request.principal.role)
        return Notices.message("Saved as commit \(id.short) by \(info.author.name): \(subject)")
    }

    /// The banner and flash message for this request; nil when there is nothing to show.
    private func notices(for request: Request) -> String? {
        var notices = currentBanner.text
        if let saved = savedNotice(request) { notices += saved.text }
        if let deleted = request.query("deleted") {
            notices += Notices.message("Deleted \(deleted).").text
        }
        return notices.isEmpty ? nil : notices
    }

    /// Whether a module is online: the runtime's live state when one is attached, else `moduleState`.
    var onlineState: ModuleOnlineState {
        guard let engine = runtime else { return moduleState }
        return ModuleOnlineState { engine.isOnline($0.id) }
    }

    /// A list filtered on the server: `q` (name, id, IP, email…), `zone` (systems), `name`, `ip`
    /// and `state` (modules, `ModuleFilter`; online from `moduleState`).
    private func search(_ kind: Kind, _ request: Request) throws -> Response {
        let snapshot = try head()
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
        let bytes = try renderer(snapshot).renderList(kind, ids: ids, page: page, query: query,
                                                      extraQuery: extra.joined(separator: "&"), moduleFilter: moduleFilter)
        if kind == .module, let engine = runtime {
            return html(Array(LiveMarks.fill(String(decoding: bytes, as: UTF8.self), engine: engine).utf8))
        }
        return html(bytes)
    }
}
