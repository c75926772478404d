import Auth
import ConfigRepo
import Foundation
import WebServer

/// PlaceOS's metadata routes over our files `metadata/<parent id>/<name>.json`
/// (docs/rest-api.md): read by parent (`GET metadata/:parent_id?name=`, also
/// `systems/:id/metadata`, `zones/:id/metadata` and `users/:id/metadata`), a zone's children with theirs, one name
/// over many parents (`:name/bulk?parent_ids=`), a merge-upsert of `details` (`PATCH`), a
/// replacing upsert (`PUT`), a rename (`PATCH :parent_id/name`), `DELETE ?name=` and the
/// history of each name.
///
/// Reading: a zone's or system's metadata is for anyone signed in; a user's for that user and
/// support. Writing follows the metadata's own rules: support and admins anywhere, a user on
/// their own metadata or where one of their groups is in `editors`; only support changes
/// `editors` or `schema_id`.
extension RESTAPI {
    static let metadataResource = RESTResource(name: "metadata", kind: .metadata, searched: ["name", "description"])

    func mountMetadata(on router: inout Router) {
        let base = Self.base + "/metadata"
        let resource = Self.metadataResource
        router.add(.get, base + "/:parent_id", blocking: answer(resource) { [self] in try metadataOf($0, parent: "parent_id") })
        router.add(.get, base + "/:parent_id/children", blocking: answer(resource) { [self] in try metadataChildren($0) })
        router.add(.get, base + "/:parent_id/history", blocking: answer(resource) { [self] in try metadataHistory($0) })
        router.add(.get, base + "/:name/bulk", blocking: answer(resource) { [self] in try metadataBulk($0) })
        router.add(.put, base + "/:parent_id", blocking: answer(resource) { [self] in try writeMetadata($0, merging: false) })
        router.add(.patch, base + "/:parent_id", blocking: answer(resource) { [self] in try writeMetadata($0, merging: true) })
        router.add(.delete, base + "/:parent_id", blocking: answer(resource) { [self] in try deleteMetadata($0) })
        router.add(.patch, base + "/:parent_id/name", blocking: answer(resource) { [self] in try renameMetadata($0) })
        router.add(.get, Self.base + "/systems/:id/metadata", blocking: answer(resource, rule: "metadata") { [self] in try metadataOf($0, parent: "id") })
        router.add(.get, Self.base + "/zones/:id/metadata", blocking: answer(resource, rule: "metadata") { [self] in try metadataOf($0, parent: "id") })
        router.add(.get, Self.base + "/users/:id/metadata", blocking: answer(resource, rule: "metadata") { [self] in try metadataOf($0, parent: "id") })
    }

    // MARK: - Reading

    /// `{name: metadata}` of the parent the path names (one name with `?name=`).
    func metadataOf(_ call: Call, parent parameter: String) throws -> Response {
        let parent = try metadataParent(call, call.request.parameter(parameter) ?? "")
        try checkMetadataRead(call, parent)
        return Self.json(.object(metadataByName(parent, name: call.request.query("name"), call)))
    }

    /// `[{zone, metadata: {name: metadata}}]`: the zone's child zones, each with its metadata.
    func metadataChildren(_ call: Call) throws -> Response {
        let parent = try metadataParent(call, call.request.parameter("parent_id") ?? "")
        guard parent.kind == .zone else { return Self.json(.array([])) }
        let children = call.snapshot.childZones(of: parent.id).sorted().compactMap { call.snapshot.document(.zone, $0) }
        return Self.json(.array(children.map { zone in
            .object(["zone": call.format.json(zone),
                     "metadata": .object(metadataByName(zone.ref, name: call.request.query("name"), call))])
        }))
    }

    /// `{parent_id: metadata}`: the metadata called `:name` of each listed parent that has one
    /// (parents the caller may not read, or that do not exist, are left out).
    func metadataBulk(_ call: Call) throws -> Response {
        let name = call.request.parameter("name") ?? ""
        guard let list = call.request.query("parent_ids") else {
            throw RESTError.badRequest("parent_ids is required", parameter: "parent_ids", restriction: "comma-separated parent ids")
        }
        var found: [String: JSONValue] = [:]
        for id in RESTResource.list(list) {
            guard let parent = try? metadataParent(call, id), (try? checkMetadataRead(call, parent)) != nil,
                  let document = call.snapshot.document(.metadata, parent.id + "/" + name) else { continue }
            found[parent.id] = metadataJSON(document, call.format)
        }
        return Self.json(.object(found))
    }

    /// `{name: [metadata as it was after each change, newest first]}` (`?name=` for one; `limit`
    /// and `offset` page each name's list), from the branch's history of the file.
    func metadataHistory(_ call: Call) throws -> Response {
        let parent = try metadataParent(call, call.request.parameter("parent_id") ?? "")
        try checkMetadataRead(call, parent)
        let query = try IndexQuery(call.request)
        var names = call.snapshot.metadata(of: parent).compactMap { id in id.split(separator: "/", maxSplits: 1).last.map(String.init) }
        if let name = call.request.query("name") { names = names.filter { $0 == name } }
        var result: [String: JSONValue] = [:]
        for name in names {
            let ref = ObjectRef(.metadata, parent.id + "/" + name)
            let commits = try repository.history(of: ref, limit: query.offset + query.limit)
            var versions: [JSONValue] = []
            for commit in commits.dropFirst(query.offset) {
                guard let document = try repository.document(ref, at: commit.id), case .object(var members) = metadataJSON(document, call.format) else { continue }
                members["updated_at"] = .int(Int(commit.author.date?.timeIntervalSince1970 ?? 0))
                members["modified_by"] = .string(commit.author.name)
                versions.append(.object(members))
            }
            result[name] = .array(versions)
        }
        return Self.json(.object(result))
    }

    // MARK: - Writing

    /// `PUT` (replaces the named metadata, or creates it) and `PATCH` (merges `details` into the
    /// stored ones as a JSON merge patch, RFC 7396, or creates it): one commit by the caller.
    /// Answers the metadata (201 when it was created).
    func writeMetadata(_ call: Call, merging: Bool) throws -> Response {
        let parent = try metadataParent(call, call.request.parameter("parent_id") ?? "")
        let body = try RESTWriter.object(call.request.body)
        guard let name = body["name"]?.stringValue, IdentifierRules.isValidMetadataName(name) else {
            throw RESTError.invalid(field: "name", reason: "is required: letters, digits, _ ~ - and . (it names the file)")
        }
        let ref = ObjectRef(.metadata, parent.id + "/" + name)
        let current = call.snapshot.document(ref)
        var document = current ?? ConfigDocument(ref: ref)
        document.members["name"] = .string(name)
        for key in ["description", "editors", "schema_id"] {
            guard let value = body[key] else { if !merging, current != nil { document.members[key] = nil }; continue }
            document.members[key] = value.isNull ? nil : value
        }
        if let details = body["details"] {
            document.members["details"] = merging ? Self.mergePatch(details, onto: current?["details"]) : details
        } else if document["details"] == nil {
            document.members["details"] = .object([:])
        }
        try checkMetadataWrite(call, parent, old: current, new: document)
        let result = try metadataWriter(call, ref).apply([.save(document)], target: ref)
        try timeline.catchUp(to: result.snapshot.commit)
        let format = WireFormat(snapshot: result.snapshot, timeline: timeline, principal: call.principal, box: repository.secretBox, engine: engine)
        guard let written = result.snapshot.document(ref) else { throw RESTError.notFound("\(ref) does not exist") }
        var response = Self.json(metadataJSON(written, format))
        if current == nil { response.status = .created }
        return response
    }

    /// `DELETE metadata/:parent_id?name=`: removes one name (202).
    func deleteMetadata(_ call: Call) throws -> Response {
        let parent = try metadataParent(call, call.request.parameter("parent_id") ?? "")
        guard let name = call.request.query("name"), !name.isEmpty else {
            throw RESTError.badRequest("name is required", parameter: "name", restriction: "the metadata's name")
        }
        let ref = ObjectRef(.metadata, parent.id + "/" + name)
        guard let current = call.snapshot.document(ref) else { throw RESTError.notFound("\(parent.id) has no metadata \(name)") }
        try checkMetadataWrite(call, parent, old: current, new: nil)
        _ = try metadataWriter(call, ref).apply([.delete(ref, version: current.version)], target: ref)
        return Response(status: HTTPStatus(202))
    }

    /// `PATCH metadata/:parent_id/name` `{current_name, new_name}`: one commit that writes the
    /// metadata under its new name and removes the old file; 404 when there is none of the current
    /// name, 409 when the new name is taken. Answers the renamed metadata.
    func renameMetadata(_ call: Call) throws -> Response {
        let parent = try metadataParent(call, call.request.parameter("parent_id") ?? "")
        let body = try RESTWriter.object(call.request.body)
        guard let currentName = body["current_name"]?.stringValue, !currentName.isEmpty else {
            throw RESTError.invalid(field: "current_name", reason: "is required: the metadata's name now")
        }
        guard let newName = body["new_name"]?.stringValue, IdentifierRules.isValidMetadataName(newName) else {
            throw RESTError.invalid(field: "new_name", reason: "is required: letters, digits, _ ~ - and . (it names the file)")
        }
        let oldRef = ObjectRef(.metadata, parent.id + "/" + currentName)
        let newRef = ObjectRef(.metadata, parent.id + "/" + newName)
        guard let current = call.snapshot.document(oldRef) else { throw RESTError.notFound("\(parent.id) has no metadata \(currentName)") }
        if newName == currentName { return Self.json(metadataJSON(current, call.format)) }
        guard call.snapshot.document(newRef) == nil else {
            throw RESTError(status: .conflict, body: .object(["error": .string("\(parent.id) already has metadata \(newName)")]))
        }
        var renamed = ConfigDocument(ref: newRef, members: current.members)
        renamed.members["name"] = .string(newName)
        // A rename changes the name only: the same rules as changing the metadata in place.
        try checkMetadataWrite(call, parent, old: current, new: current)
        let writer = MetadataWriter(repository: repository, principal: call.principal, format: call.format, refs: [oldRef, newRef])
        let result = try writer.apply([.delete(oldRef, version: current.version), .save(renamed)], target: newRef)
        try timeline.catchUp(to: result.snapshot.commit)
        let format = WireFormat(snapshot: result.snapshot, timeline: timeline, principal: call.principal, box: repository.secretBox, engine: engine)
        guard let written = result.snapshot.document(newRef) else { throw RESTError.notFound("\(newRef) does not exist") }
        return Self.json(metadataJSON(written, format))
    }

    /// RFC 7396: objects merge member by member (`null` removes one); anything else replaces.
    static func mergePatch(_ patch: JSONValue, onto target: JSONValue?) -> JSONValue {
        guard case .object(let members) = patch else { return patch }
        var result = target?.objectValue ?? [:]
        for (key, value) in members {
            if value.isNull { result[key] = nil } else { result[key] = mergePatch(value, onto: result[key]) }
        }
        return .object(result)
    }

    // MARK: - Shapes and rules

    /// PlaceOS's metadata: `{name, description, details, parent_id, schema_id, editors,
    /// created_at, updated_at, version}` plus any other member the file keeps.
    func metadataJSON(_ document: ConfigDocument, _ format: WireFormat) -> JSONValue {
        guard case .object(var members) = format.json(document) else { return .null }
        members["id"] = nil
        members["name"] = .string(document.metadataName ?? "")
        members["parent_id"] = document.metadataParent.map { .string($0.id) } ?? .null
        members["description"] = members["description"] ?? .string("")
        members["details"] = members["details"] ?? .object([:])
        members["editors"] = members["editors"] ?? .array([])
        members["schema_id"] = members["schema_id"] ?? .null
        return .object(members)
    }

    func metadataByName(_ parent: ObjectRef, name: String?, _ call: Call) -> [String: JSONValue] {
        var found: [String: JSONValue] = [:]
        for id in call.snapshot.metadata(of: parent) {
            guard let document = call.snapshot.document(.metadata, id), let own = document.metadataName, name == nil || own == name else { continue }
            found[own] = metadataJSON(document, call.format)
        }
        return found
    }

    /// The zone, system (or its email) or user the id names, or 404.
    private func metadataParent(_ call: Call, _ id: String) throws(RESTError) -> ObjectRef {
        for kind in [Kind.zone, .system, .user] where call.snapshot.document(kind, id) != nil {
            return ObjectRef(kind, id)
        }
        if let system = RESTResource.systems.alias?(call.snapshot, id) { return system.ref }
        if let user = RESTResource.users.alias?(call.snapshot, id) { return user.ref }
        throw .notFound("no zone, system or user \(id)")
    }

    /// A user's metadata is theirs and support's to read; a zone's or system's anyone's (`MetadataRights`).
    func checkMetadataRead(_ call: Call, _ parent: ObjectRef) throws(RESTError) {
        if !MetadataRights(principal: call.principal, snapshot: call.snapshot).mayRead(parent) { throw .forbidden }
    }

    /// The metadata's own rules (`MetadataRights`, which the site's editor asks too).
    private func checkMetadataWrite(_ call: Call, _ parent: ObjectRef, old: ConfigDocument?, new: ConfigDocument?) throws(RESTError) {
        switch MetadataRights(principal: call.principal, snapshot: call.snapshot).refusal(toWrite: parent, old: old, new: new) {
        case nil: return
        case .forbidden: throw .forbidden
        case .member(let key, let reason): throw RESTError.invalid(field: key, reason: reason)
        }
    }

    /// Support and admins write as their role, through the clearance gate; an owner or editor
    /// the rules above let through may change this one file and nothing else.
    private func metadataWriter(_ call: Call, _ ref: ObjectRef) -> MetadataWriter {
        MetadataWriter(repository: repository, principal: call.principal, format: call.format, refs: [ref])
    }
}

/// A metadata write as one commit by the caller (see `RESTAPI.metadataWriter`).
struct MetadataWriter {
    let repository: ConfigRepository
    let principal: Principal
    let format: WireFormat
    /// The files a trusted owner or editor may change (one; two for a rename).
    let refs: Set<ObjectRef>

    func apply(_ edits: [Edit], target: ObjectRef) throws(RESTError) -> WriteResult {
        let terms = MetadataRights.commitTerms(of: principal, for: refs)
        do {
            return try repository.apply(edits, author: principal.signature, permits: terms.permits, actingAs: terms.actingAs)
        } catch {
            throw RESTWriter.refusal(error, target: target, format: format)
        }
    }
}
