import Auth
import ConfigRepo
import SiteGen
import WebServer

/// Uploading or replacing a level zone's SVG map from the site: `GET` the form,
/// `POST` the file (`multipart/form-data`). The file is sanitised by the map sanitiser
/// (`MapSanitizer`, the C shim over libxml2) and what is left is committed — the SVG under
/// `maps/` and the zone's `map_id` when it changes — as one commit by the acting user, then
/// 303 to the level map. Refused with the reason, nothing committed: a file that is not
/// well-formed SVG, one with nothing drawable left once sanitised, one over the map size limit,
/// or one that would leave a room's `map_id` pointing at nothing (the validator's words).
struct MapUploadController: Feature {
    let site: SiteService

    /// A level map's size limit (docs/config-format.md, "Limits").
    static let maximumBytes = 8 * 1024 * 1024

    func mount(on router: inout Router) {
        router.get("/backoffice/:kind/:id/map/upload", blocking: site.signedIn { [self] request in try form(request) })
        router.post("/backoffice/:kind/:id/map/upload", blocking: site.signedIn { [self] request in try upload(request) })
    }

    /// The zone of the path, for an editor of zones.
    private func zone(_ request: Request, _ snapshot: Snapshot) throws -> ConfigDocument {
        guard try site.kind(request) == .zone else { throw HTTPError(.notFound, "only zones have level maps") }
        guard request.principal.mayEdit(.zone) else { throw HTTPError(.forbidden, "you do not have access to this") }
        let id = request.parameter("id") ?? ""
        guard let zone = snapshot.document(.zone, id) else { throw HTTPError(.notFound, "no zone \(id)") }
        return zone
    }

    /// The file the zone's map is saved as: the one it shows now, else `<zone id>.svg`.
    private func mapName(of zone: ConfigDocument) -> String { zone.string("map_id") ?? zone.id + ".svg" }

    func form(_ request: Request) throws -> Response {
        let snapshot = try site.head()
        return try page(try zone(request, snapshot), snapshot, request, error: nil, status: .ok)
    }

    private func page(_ zone: ConfigDocument, _ snapshot: Snapshot, _ request: Request, error: String?, status: HTTPStatus) throws -> Response {
        let action = SiteURL.mapUpload(zone: zone.id)
        let (token, cookie) = site.tokens.issue(for: request, purpose: action)
        let name = ObjectLabels.name(zone, in: snapshot)
        let current = zone.string("map_id")
        let sharing = current.map { map in
            snapshot.all(.zone).filter { $0.id != zone.id && $0.string("map_id") == map }.map { ObjectLabels.name($0, in: snapshot) }
        } ?? []
        let values: [String: TemplateValue] = [
            "formTitle": .string((current == nil ? "Upload the map of " : "Replace the map of ") + name),
            "listURL": .string(SiteURL.list(.zone)), "zoneURL": .string(SiteURL.detail(zone.ref)), "zoneName": .string(name),
            "mapURL": .optional(current == nil ? nil : SiteURL.map(zone: zone.id)),
            "action": .string(action), "token": .string(token), "error": .optional(error),
            "current": .optional(current), "newName": .string(mapName(of: zone)),
            "sharedWith": .optional(sharing.isEmpty ? nil : sharing.joined(separator: ", ")),
            "limitMiB": .int(Self.maximumBytes / 1024 / 1024),
        ]
        return site.html(try site.renderer(snapshot).page("map-upload", title: "Map of \(name)", kind: .zone, values), status: status,
                         setCookie: cookie)
    }

    func upload(_ request: Request) throws -> Response {
        let submission = try MultipartForm(request, maximumBytes: Self.maximumBytes + 64 * 1024)
        try site.tokens.check(request, submission)
        let snapshot = try site.head()
        var zone = try zone(request, snapshot)
        let refuse = { (message: String, status: HTTPStatus) throws -> Response in
            try page(zone, snapshot, request, error: message, status: status)
        }
        guard let file = submission.file("map"), !file.bytes.isEmpty else {
            return try refuse("Choose an SVG file to upload.", .unprocessableContent)
        }
        guard file.bytes.count <= Self.maximumBytes else {
            return try refuse("The file is larger than \(Self.maximumBytes / 1024 / 1024) MiB.", .payloadTooLarge)
        }
        let svg: String
        do { svg = try MapSanitizer.sanitize(file.bytes).svg.text } catch {
            return try refuse("“\(file.filename ?? "the file")” is not a readable SVG map: \(error.message).", .unprocessableContent)
        }
        guard MapSanitizer.drawsSomething(svg) else {
            return try refuse("Nothing drawable is left in “\(file.filename ?? "the file")” once scripts, styles, images and external "
                              + "references are removed; upload the plan as SVG shapes (path, rect, polygon, text…).", .unprocessableContent)
        }
        let name = mapName(of: zone)
        let replacing = snapshot.maps[name] != nil
        var edits: [Edit] = [.saveMap(name: name, svg: Array((svg + "\n").utf8))]
        if zone.string("map_id") != name {
            zone.set("map_id", string: name)
            edits.append(.save(zone))
        }
        let message = (replacing ? "Replace" : "Upload") + " the map of zone \"\(ObjectLabels.name(zone, in: snapshot))\" (maps/\(name))"
        let result: WriteResult
        do {
            result = try site.repository.apply(edits, author: request.principal.signature, message: message, actingAs: request.principal.role)
        } catch {
            let refusal = WriteRefusal(error, .save, subject: "this map")
            guard refusal.status != .internalServerError else { return try site.message(refusal) }
            return try refuse(refusal.message, refusal.status)
        }
        site.refreshSoon()
        return .redirect(to: SiteURL.map(zone: zone.id) + "?saved=" + result.commit.id.hex)
    }
}
