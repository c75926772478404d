import Auth
import ConfigRepo
import Foundation
import Runtime
import WebServer

/// `/api/engine/v2/brokers`: PlaceOS's CRUD on MQTT brokers (placeos-api §2, §4). Support reads,
/// admins write (`AccessPolicy.standard`); every write is one validated commit by the caller.
/// Secrets (`password`, `client_key`, `secret`) leave only as their sealed envelopes and only to
/// admins; a plain value sent in is sealed before it is written. A broker's live state is its
/// page's business (`BrokerStatePanel`), not the wire format's.
///
/// Its own routes until the generic REST resources (branch `rest`) reach main; then brokers become
/// one more resource there (docs/mqtt.md).
struct BrokersAPI: Feature {
    let repository: ConfigRepository
    static let base = "/api/engine/v2/brokers"
    /// Members a client may send back that are not stored.
    static let derived: Set<String> = ["id", "created_at", "updated_at", "version"]

    func mount(on router: inout Router) {
        // Git reads and commits: on BlockingWorkers.
        router.add(.get, Self.base, blocking: { [self] request in try answer { try index(request) } })
        router.add(.post, Self.base, blocking: { [self] request in try answer { try create(request) } })
        router.add(.get, Self.base + "/:id", blocking: { [self] request in try answer { try show(request) } })
        router.add(.put, Self.base + "/:id", blocking: { [self] request in try answer { try update(request, merge: false) } })
        router.add(.patch, Self.base + "/:id", blocking: { [self] request in try answer { try update(request, merge: true) } })
        router.add(.delete, Self.base + "/:id", blocking: { [self] request in try answer { try destroy(request) } })
    }

    // MARK: - Reads

    /// `q` (name, host, description), `limit` (default 20, at most 500) and `offset`, with
    /// `X-Total-Count` and `Content-Range: brokers 0-19/42`.
    func index(_ request: Request) throws -> Response {
        let snapshot = try head()
        var brokers = snapshot.unordered(.broker).sorted { $0.displayName.lowercased() < $1.displayName.lowercased() }
        if let query = request.query("q")?.lowercased(), !query.isEmpty {
            brokers = brokers.filter { broker in
                ([broker.id] + ["name", "host", "description"].compactMap { broker.string($0) }).contains { $0.lowercased().contains(query) }
            }
        }
        let limit = min(max(Int(request.query("limit") ?? "") ?? 20, 0), 500)
        let offset = max(Int(request.query("offset") ?? "") ?? 0, 0)
        let page = brokers.dropFirst(offset).prefix(limit)
        var response = Response.json(JSONWriter.compactString(.array(page.map { wire($0, request) })))
        response.headers.set("X-Total-Count", String(brokers.count))
        let last = page.isEmpty ? offset : offset + page.count - 1
        response.headers.set("Content-Range", "brokers \(offset)-\(last)/\(brokers.count)")
        return response
    }

    func show(_ request: Request) throws -> Response {
        .json(JSONWriter.compactString(wire(try existing(request, in: try head()), request)))
    }

    // MARK: - Writes

    func create(_ request: Request) throws -> Response {
        var members = try body(request)
        let id = members.removeValue(forKey: "id")?.stringValue ?? IdentifierRules.newID(for: .broker)
        guard id.hasPrefix("broker-") else { throw RESTFailure(.unprocessableContent, "invalid", "id: a broker's id starts with broker-") }
        let document = ConfigDocument(ref: ObjectRef(.broker, id), members: members)
        let result = try write([.save(document)], request)
        guard let saved = result.snapshot.document(.broker, id) else { throw RESTFailure(.internalServerError, "failed", "the broker was not written") }
        return .json(JSONWriter.compactString(wire(saved, request)), status: .created)
    }

    /// PUT replaces the stored members; PATCH merges the body's members into them (`null` removes one).
    func update(_ request: Request, merge: Bool) throws -> Response {
        let current = try existing(request, in: try head())
        let sent = try body(request)
        var members = merge ? current.members : [:]
        for (name, value) in sent where !Self.derived.contains(name) {
            if value == .null { members.removeValue(forKey: name) } else { members[name] = value }
        }
        let document = ConfigDocument(ref: current.ref, members: members, version: current.version)
        let result = try write([.save(document)], request)
        guard let saved = result.snapshot.document(current.ref) else { throw RESTFailure(.internalServerError, "failed", "the broker was not written") }
        return .json(JSONWriter.compactString(wire(saved, request)))
    }

    func destroy(_ request: Request) throws -> Response {
        let current = try existing(request, in: try head())
        _ = try write([.delete(current.ref, version: current.version)], request)
        return Response(status: HTTPStatus(202))
    }

    // MARK: - Helpers

    /// The broker as PlaceOS sends it: its members and `id`; secrets as envelopes to admins only.
    func wire(_ document: ConfigDocument, _ request: Request) -> JSONValue {
        var members = document.members
        members["id"] = .string(document.id)
        for field in Kind.broker.fields where field.type == .secret && !request.principal.has(.admin) {
            members.removeValue(forKey: field.name)
        }
        return .object(members)
    }

    private func head() throws -> Snapshot {
        do { return try repository.headSnapshot() } catch {
            throw RESTFailure(.internalServerError, "store_failed", "cannot read the configuration: \(error)")
        }
    }

    private func existing(_ request: Request, in snapshot: Snapshot) throws -> ConfigDocument {
        let id = request.parameter("id") ?? ""
        guard let document = snapshot.document(.broker, id) else { throw RESTFailure(.notFound, "not_found", "broker \(id) does not exist") }
        return document
    }

    /// The request's JSON object, derived members left out.
    private func body(_ request: Request) throws -> [String: JSONValue] {
        guard let json = try? JSONParser.parse(request.body), var members = json.objectValue else {
            throw RESTFailure(.badRequest, "bad_request", "the body must be a JSON object")
        }
        for name in Self.derived where name != "id" { members.removeValue(forKey: name) }
        return members
    }

    private func write(_ edits: [Edit], _ request: Request) throws -> WriteResult {
        do {
            return try repository.apply(edits, author: request.principal.signature)
        } catch {
            let refusal = WriteRefusal(error, .save, subject: "the broker")
            var members: [String: JSONValue] = ["error": .string(refusal.code), "message": .string(error.description)]
            if case .invalid(let problems) = error {
                members["problems"] = .array(problems.map { .object(["file": .string($0.path), "field": .string($0.field), "message": .string($0.message)]) })
            }
            throw RESTFailure(refusal.status, body: .object(members))
        }
    }

    /// Runs a handler for a signed-in caller; a `RESTFailure` becomes its JSON answer.
    private func answer(_ handler: () throws -> Response) throws -> Response {
        do { return try handler() } catch let failure as RESTFailure {
            return .json(JSONWriter.compactString(failure.body), status: failure.status)
        }
    }
}

/// A refused REST request: its status and `{"error": code, "message": text, …}`.
struct RESTFailure: Error {
    let status: HTTPStatus
    let body: JSONValue

    init(_ status: HTTPStatus, _ code: String, _ message: String) {
        self.init(status, body: .object(["error": .string(code), "message": .string(message)]))
    }

    init(_ status: HTTPStatus, body: JSONValue) {
        self.status = status
        self.body = body
    }
}
