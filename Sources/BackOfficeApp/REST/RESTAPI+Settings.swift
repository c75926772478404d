import Auth
import ConfigRepo
import WebServer

/// PlaceOS's `settings` resource and the `:id/settings` sub-routes, over our per-object levels
/// (`SettingsView`). A write names one level of one object (`sets-<object id>~<level>`, or
/// `parent_id` and `encryption_level` to create) and becomes a write of that object's
/// `settings`, with the same rules as any settings write (`RESTWriter.settings`): levels above
/// the caller's are refused, `never_display` is never written here.
extension RESTAPI {
    func mountSettings(on router: inout Router) {
        let base = Self.base
        router.add(.get, base + "/settings", blocking: answer(.systems, rule: "settings") { [self] in try settingsIndex($0) })
        router.add(.post, base + "/settings", blocking: answer(.systems, rule: "settings") { [self] in try writeSettings($0, create: true) })
        router.add(.get, base + "/settings/:id", blocking: answer(.systems, rule: "settings") { [self] in try settingsRecord($0) })
        for method in [HTTPMethod.put, .patch] {
            router.add(method, base + "/settings/:id", blocking: answer(.systems, rule: "settings") { [self] in try writeSettings($0, create: false) })
        }
        router.add(.delete, base + "/settings/:id", blocking: answer(.systems, rule: "settings") { [self] in try deleteSettings($0) })
        router.add(.get, base + "/systems/:id/settings", blocking: answer(.systems) { [self] call in
            Self.json(.array(SettingsView(format: call.format).chain(ofSystem: try existing(call))))
        })
        router.add(.get, base + "/modules/:id/settings", blocking: answer(.modules) { [self] call in
            Self.json(.array(SettingsView(format: call.format).chain(ofModule: try existing(call))))
        })
    }

    func settingsIndex(_ call: Call) throws -> Response {
        let query = try IndexQuery(call.request)
        var records = SettingsView(format: call.format).all()
        if let parents = call.request.query("parent_id").map(RESTResource.list) {
            records = records.filter { record in parents.contains(record["parent_id"]?.stringValue ?? "") }
        }
        // (`q` does not search settings: their values are no text to find objects by.)
        return query.page(records, table: "settings", request: call.request) { $0 }
    }

    func settingsRecord(_ call: Call) throws -> Response {
        let (document, level) = try settingsParent(call, id: call.request.parameter("id") ?? "")
        guard let record = SettingsView(format: call.format).records(of: document).first(where: {
            $0["id"]?.stringValue == SettingsView.recordID(document.id, level)
        }) else { throw RESTError.notFound("\(document.id) has no \(level.key) settings") }
        return Self.json(record)
    }

    /// The object and level a record id names, if the caller may see that object.
    private func settingsParent(_ call: Call, id: String) throws(RESTError) -> (ConfigDocument, SettingsLevel) {
        guard let (objectID, level) = SettingsView.parse(id), let document = settingsOwner(call, objectID) else {
            throw .notFound("settings \(id) do not exist")
        }
        return (document, level)
    }

    private func settingsOwner(_ call: Call, _ objectID: String) -> ConfigDocument? {
        [Kind.driver, .zone, .system, .module].lazy.compactMap { call.snapshot.document($0, objectID) }
            .first { call.principal.mayView($0.kind) }
    }

    func writeSettings(_ call: Call, create: Bool) throws -> Response {
        let body = try RESTWriter.object(call.request.body)
        let document: ConfigDocument
        let level: SettingsLevel
        if create {
            guard let parent = body["parent_id"]?.stringValue, let owner = settingsOwner(call, parent) else {
                throw RESTError.invalid(field: "parent_id", reason: "must name a zone, system, driver or module")
            }
            guard let number = body["encryption_level"]?.intValue,
                  let found = SettingsView.levelNumbers.first(where: { $0.value == number })?.key else {
                throw RESTError.invalid(field: "encryption_level", reason: "must be 0 (none), 1 (support), 2 (admin) or 3 (never_display)")
            }
            (document, level) = (owner, found)
        } else {
            (document, level) = try settingsParent(call, id: call.request.parameter("id") ?? "")
        }
        if let sent = body["settings_string"], sent.stringValue == nil {
            throw RESTError.invalid(field: "settings_string", reason: "must be a string holding a JSON object")
        }
        // An update without `settings_string` changes nothing of the level.
        guard let text = body["settings_string"]?.stringValue ?? (create ? "{}" : nil) else { return try settingsRecord(call) }
        let values: JSONValue
        do { values = try JSONParser.parse(text) } catch {
            throw RESTError.invalid(field: "settings_string", reason: "is not JSON: line \(error.line), column \(error.column): \(error.message)")
        }
        guard values.objectValue != nil else { throw RESTError.invalid(field: "settings_string", reason: "must be a JSON object") }
        return try replaceLevel(call, of: document, level, with: values, status: create ? .created : .ok)
    }

    func deleteSettings(_ call: Call) throws -> Response {
        let (document, level) = try settingsParent(call, id: call.request.parameter("id") ?? "")
        _ = try replaceLevel(call, of: document, level, with: nil, status: .ok)
        return Response(status: HTTPStatus(202))
    }

    /// Writes one level of `document`'s settings as the caller sees the others (so only that
    /// level can change) and answers its record.
    private func replaceLevel(_ call: Call, of document: ConfigDocument, _ level: SettingsLevel, with values: JSONValue?,
                              status: HTTPStatus) throws -> Response {
        guard level != .neverDisplay, call.principal.mayRead(level), call.principal.mayEdit(document.kind) else { throw RESTError.forbidden }
        guard let resource = RESTResource.all.first(where: { $0.kind == document.kind }) else { throw RESTError.forbidden }
        let writer = RESTWriter(repository: repository, resource: resource, principal: call.principal, snapshot: call.snapshot, format: call.format)
        var sent = call.format.settings(document["settings"] ?? .object([:]), objectID: document.id).objectValue ?? [:]
        sent[level.key] = values
        var changed = document
        if let settings = try writer.settings(.object(sent), stored: document["settings"], objectID: document.id) {
            changed.members["settings"] = settings
        } else {
            changed.members.removeValue(forKey: "settings")
        }
        let result = try writer.apply([.save(changed)], target: document.ref)
        try timeline.catchUp(to: result.snapshot.commit)
        guard let after = result.snapshot.document(document.ref) else { throw RESTError.notFound("\(document.ref) does not exist") }
        let format = WireFormat(snapshot: result.snapshot, timeline: timeline, principal: call.principal, box: repository.secretBox, engine: engine)
        let record = SettingsView(format: format).records(of: after).first { $0["id"]?.stringValue == SettingsView.recordID(after.id, level) }
        var response = Self.json(record ?? SettingsView(format: format).emptyRecord(of: after, level))
        response.status = status
        return response
    }
}
