import ConfigRepo
import Foundation
import SiteGen

extension SiteApp {
    /// GET under /backoffice: pre-rendered pages, or the per-request ones.
    func get(_ request: Request) throws -> Response {
        let segments = Array(request.pathSegments.dropFirst())
        guard let first = segments.first else { return try staticPage("index.html", request) }
        guard let kind = SiteKinds.kind(segment: first) else { throw HTTPError(.notFound, "no page at \(request.path)") }
        switch segments.count {
        case 1:
            if ["q", "zone", "state"].contains(where: { request.query($0) != nil }) { return try search(kind, request) }
            if let page = request.query("page").flatMap(Int.init), page > 1 { return try staticPage("\(first)/page/\(page)/index.html", request) }
            return try staticPage("\(first)/index.html", request)
        case 2 where segments[1] == "new":
            return try newForm(kind, request)
        case 2:
            return try staticPage("\(first)/\(segments[1])/index.html", request)
        case 3 where segments[1] == "page" && Int(segments[2]) != nil:
            return try staticPage("\(first)/page/\(segments[2])/index.html", request)
        case 3:
            let ref = ObjectRef(kind, segments[1])
            switch segments[2] {
            case "edit": return try editForm(ref, request)
            case "delete": return try deleteForm(ref, request)
            case "history": return try history(ref, request, error: nil)
            case "map" where kind == .zone: return try staticPage("zones/\(segments[1])/map.html", request)
            default: break
            }
        default: break
        }
        throw HTTPError(.notFound, "no page at \(request.path)")
    }

    /// A pre-rendered page with the banner and any flash message put in.
    private func staticPage(_ file: String, _ request: Request) throws -> Response {
        guard !file.split(separator: "/").contains(where: { $0.hasPrefix(".") }),
              let data = FileManager.default.contents(atPath: siteDirectory + "/" + file) else {
            throw HTTPError(.notFound, "no page at \(request.path)")
        }
        var notices = currentBanner.text
        if let saved = request.query("saved"), let id = ObjectID(hex: saved), let info = try? repository.store.commitInfo(id) {
            notices += Notices.message("Saved as commit \(id.short) by \(info.author.name): \(info.subject)").text
        }
        if let deleted = request.query("deleted") {
            notices += Notices.message("Deleted \(deleted).").text
        }
        var page = String(decoding: data, as: UTF8.self)
        if let range = page.range(of: PageRenderer.noticesMarker.text) {
            page.replaceSubrange(range, with: notices)
        }
        return html(Array(page.utf8))
    }

    /// A list filtered on the server: `q` (name, id, IP, email…), `zone` (systems), `state` (modules).
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
        if let state = request.query("state"), kind == .module, state == "running" || state == "stopped" {
            candidates = candidates.filter { ModuleView($0).running == (state == "running") }
            extra.append("state=" + state)
        }
        if let query { candidates = candidates.filter { ListColumns.matches($0, query: query, in: snapshot) } }
        let ids = candidates.map(\.id).sorted()
        let page = Int(request.query("page") ?? "") ?? 1
        let bytes = try renderer(snapshot).renderList(kind, ids: ids, page: page, query: query,
                                                      extraQuery: extra.joined(separator: "&"))
        return html(bytes)
    }
}
