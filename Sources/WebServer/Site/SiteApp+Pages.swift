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
        guard let notices = notices(for: request) else {
            let target = "/backoffice/" + key.file
            let rewritten = try Request(method: request.method, target: target, headers: request.headers, id: request.id)
            guard FileManager.default.fileExists(atPath: path) else { throw HTTPError(.notFound, "no page at \(request.path)") }
            return try files.respond(to: rewritten)
        }
        guard let data = FileManager.default.contents(atPath: path) else { throw HTTPError(.notFound, "no page at \(request.path)") }
        var page = String(decoding: data, as: UTF8.self)
        if let range = page.range(of: PageRenderer.noticesMarker.text) {
            page.replaceSubrange(range, with: notices)
        }
        return html(Array(page.utf8))
    }

    /// The banner and flash message for this request; nil when there is nothing to show.
    private func notices(for request: Request) -> String? {
        var notices = currentBanner.text
        if let saved = request.query("saved"), let id = ObjectID(hex: saved), let info = try? repository.store.commitInfo(id) {
            notices += Notices.message("Saved as commit \(id.short) by \(info.author.name): \(info.subject)").text
        }
        if let deleted = request.query("deleted") {
            notices += Notices.message("Deleted \(deleted).").text
        }
        return notices.isEmpty ? nil : notices
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
                let state = moduleState
                candidates = candidates.filter { moduleFilter.matches($0, in: snapshot, state: state) }
                extra.append(moduleFilter.queryString)
            }
        }
        if let query { candidates = candidates.filter { ListColumns.matches($0, query: query, in: snapshot) } }
        let ids = candidates.map(\.id).sorted()
        let page = Int(request.query("page") ?? "") ?? 1
        let bytes = try renderer(snapshot).renderList(kind, ids: ids, page: page, query: query,
                                                      extraQuery: extra.joined(separator: "&"), moduleFilter: moduleFilter)
        return html(bytes)
    }
}
