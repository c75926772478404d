import Auth
import ConfigRepo
import WebServer

/// The OpenAPI 3 document of `/api/engine/v2`, generated from the server's route table and the
/// access table (which operations exist, their path parameters, who may call them with which
/// scope) and from the per-kind field table (`OpenAPISchemas`): nothing in it is written by hand
/// per route but the few shapes that are not resources. What PlaceOS does not have is marked
/// `x-backoffice: true`. WebSocket endpoints (`systems/control`, `live`) are not HTTP operations
/// and are left out.
struct OpenAPIDocument {
    let routes: [RouteKey]
    let policy: AccessPolicy
    let version: String

    static let webSockets: Set<String> = [RESTAPI.base + "/systems/control", RESTAPI.base + "/live"]
    /// Operations PlaceOS does not have.
    static let additions: Set<String> = [RESTAPI.base + "/openapi.json"]

    var json: JSONValue {
        var paths: [String: [String: JSONValue]] = [:]
        var scopes: Set<String> = ["public"]
        for route in routes where route.pattern.hasPrefix(RESTAPI.base) && !Self.webSockets.contains(route.pattern) {
            guard route.method != .head, let rule = policy.rule(for: route) else { continue }
            if let scope = rule.scope { scopes.insert(scope) }
            paths[Self.openAPIPath(route.pattern), default: [:]][route.method.rawValue.lowercased()] = operation(route, rule)
        }
        let scopeTable = JSONValue.object(Dictionary(uniqueKeysWithValues: scopes.sorted().map { ($0, JSONValue.string(Self.describe(scope: $0))) }))
        return .object([
            "openapi": "3.0.3",
            "info": .object(["title": "BackOffice engine API (PlaceOS v2 compatible)", "version": .string(version),
                             "description": "Generated from the route table and the field table; x-backoffice marks what PlaceOS does not have."]),
            "servers": .array([.object(["url": "/"])]),
            "paths": .object(paths.mapValues { .object($0) }),
            "components": .object([
                "securitySchemes": .object([
                    "oauth2": .object(["type": "oauth2", "flows": .object([
                        "password": .object(["tokenUrl": "/auth/oauth/token", "scopes": scopeTable]),
                        "authorizationCode": .object(["authorizationUrl": "/auth/oauth/authorize", "tokenUrl": "/auth/oauth/token",
                                                      "scopes": scopeTable]),
                    ])]),
                    "apiKey": .object(["type": "apiKey", "in": "header", "name": "X-API-Key"]),
                ]),
            ]),
        ])
    }

    /// `/systems/:id` → `/systems/{id}`.
    static func openAPIPath(_ pattern: String) -> String {
        pattern.split(separator: "/", omittingEmptySubsequences: false).map { part in
            part.hasPrefix(":") ? "{" + part.dropFirst() + "}" : String(part)
        }.joined(separator: "/")
    }

    static func describe(scope: String) -> String {
        scope == "public" ? "everything the user's role allows" : scope.replacingOccurrences(of: ".", with: " ") + " access"
    }

    private func operation(_ route: RouteKey, _ rule: AccessRule) -> JSONValue {
        let shape = OperationShape(route: route)
        var members: [String: JSONValue] = [
            "operationId": .string(route.method.rawValue.lowercased() + route.pattern.dropFirst(RESTAPI.base.count)
                .split(whereSeparator: { !$0.isLetter && !$0.isNumber && $0 != "_" }).map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()),
            "summary": .string(shape.summary),
            "description": .string("Access: \(rule)."),
            "responses": .object(responses(shape, rule)),
        ]
        var parameters = route.pattern.split(separator: "/").filter { $0.hasPrefix(":") }.map { name -> JSONValue in
            .object(["name": .string(String(name.dropFirst())), "in": "path", "required": true, "schema": .object(["type": "string"])])
        }
        parameters += shape.query.map { name, schema in
            .object(["name": .string(name), "in": "query", "required": false, "schema": schema])
        }
        if !parameters.isEmpty { members["parameters"] = .array(parameters) }
        if let body = shape.requestBody {
            members["requestBody"] = .object(["required": .bool(!shape.optionalBody), "content": .object(["application/json": .object(["schema": body])])])
        }
        if case .public = rule.requirement {
            members["security"] = .array([])
        } else {
            members["security"] = .array([.object(["oauth2": .array([.string(rule.scope ?? "public")])]), .object(["apiKey": .array([])])])
        }
        if Self.additions.contains(route.pattern) || shape.isAddition { members["x-backoffice"] = true }
        return .object(members)
    }

    private func responses(_ shape: OperationShape, _ rule: AccessRule) -> [String: JSONValue] {
        func json(_ schema: JSONValue, _ text: String) -> JSONValue {
            .object(["description": .string(text), "content": .object(["application/json": .object(["schema": schema])])])
        }
        var answers: [String: JSONValue] = [String(shape.success.code): json(shape.response, shape.successText)]
        if shape.success.code == 202 { answers["202"] = .object(["description": "accepted; no body"]) }
        if shape.isIndex {
            answers["200"] = .object([
                "description": "one page", "content": .object(["application/json": .object(["schema": shape.response])]),
                "headers": .object([
                    "X-Total-Count": .object(["schema": .object(["type": "integer"])]),
                    "Content-Range": .object(["schema": .object(["type": "string"])]),
                    "Link": .object(["schema": .object(["type": "string"]), "description": "rel=\"next\" while more follow"]),
                ]),
            ])
        }
        answers["400"] = json(OpenAPISchemas.badRequest, "bad parameters or body")
        answers["404"] = json(OpenAPISchemas.error, "no such object")
        if case .public = rule.requirement {} else {
            answers["401"] = json(OpenAPISchemas.error, "sign in required")
            answers["403"] = .object(["description": "not allowed"])
        }
        if shape.writes {
            answers["409"] = json(shape.conflict, "the version sent is stale: the current object")
            answers["422"] = json(OpenAPISchemas.validationError, "invalid: each failing field named")
        }
        return answers
    }
}

/// What one route takes and answers, by what the route is: a resource's index, show, create,
/// update or delete (schemas from the field table), or one of the other routes.
struct OperationShape {
    var summary = ""
    var query: [(String, JSONValue)] = []
    var requestBody: JSONValue?
    var response: JSONValue = .object([:])
    var success: HTTPStatus = .ok
    var successText = "done"
    var writes = false
    var isIndex = false
    var isAddition = false
    var conflict: JSONValue = .object(["type": "object"])
    /// An exec's arguments may be left out.
    var optionalBody = false

    init(route: RouteKey) {
        let path = String(route.pattern.dropFirst(RESTAPI.base.count))
        let method = route.method
        let segments = path.split(separator: "/").map(String.init)
        // `users/current`, `api_keys/inspect` are a resource's own; another literal second
        // segment (`repositories/interfaces`) is a route of its own, not a show.
        let isResourceRoute = segments.count < 2 || segments[1].hasPrefix(":") || ["current", "inspect"].contains(segments[1])
        if let resource = RESTResource.all.first(where: { $0.name == segments.first }), segments.count <= 2, isResourceRoute {
            resourceShape(resource, method: method, item: segments.count == 2)
            if segments.count == 2, segments[1] == "current" { summary = "the caller's user" }
            if segments.count == 2, segments[1] == "inspect" {
                summary = "the caller's credential as PlaceOS decodes its token"
                response = .object(["type": "object"])
            }
            return
        }
        otherShape(path, method: method, segments: segments)
    }

    private mutating func resourceShape(_ resource: RESTResource, method: HTTPMethod, item: Bool) {
        let object = OpenAPISchemas.response(resource)
        conflict = object
        switch (method, item) {
        case (.get, false):
            summary = "list \(resource.name)"
            isIndex = true
            response = .object(["type": "array", "items": object])
            query = [("q", .object(["type": "string"])), ("limit", .object(["type": "integer", "minimum": 0, "maximum": 10_000])),
                     ("offset", .object(["type": "integer", "minimum": 0]))]
                + resource.filters.map { ($0.parameter, JSONValue.object(["type": "string"])) }
            if resource.kind == .user {
                query += [("include_deleted", .object(["type": "boolean"])), ("include_metadata", .object(["type": "boolean"]))]
            }
        case (.post, false):
            summary = "create a \(resource.kind.noun)"
            requestBody = OpenAPISchemas.request(resource, required: true)
            response = object
            success = .created
            successText = "created"
            writes = true
        case (.get, true):
            summary = "one \(resource.kind.noun)"
            response = object
            if resource.kind == .system { query = [("complete", .object(["type": "boolean"]))] }
            if resource.kind == .user { query = [("include_metadata", .object(["type": "boolean"]))] }
        case (.put, true), (.patch, true):
            summary = "change a \(resource.kind.noun)"
            requestBody = OpenAPISchemas.request(resource, required: false)
            query = [("version", .object(["type": "integer"]))]
            response = object
            writes = true
        case (.delete, true):
            summary = "delete a \(resource.kind.noun) (with its cascade)"
            if resource.kind == .user {
                summary = "delete a user (marked deleted when its domain keeps deleted users, unless force_removal)"
                query = [("force_removal", .object(["type": "boolean"]))]
            }
            success = HTTPStatus(202)
            writes = true
        default:
            summary = "\(method) \(resource.name)"
        }
    }

    private mutating func otherShape(_ path: String, method: HTTPMethod, segments: [String]) {
        let anything: JSONValue = .object([:])
        summary = "\(method.rawValue) \(path.isEmpty ? "/" : path)"
        switch path {
        case "": summary = "health check"
        case "/version", "/platform": response = .object(["type": "object", "properties": .object(["version": .object(["type": "string"])])])
        case "/scopes": response = .object(["type": "array", "items": .object(["type": "string"])])
        case "/cluster": response = .object(["type": "array", "items": .object(["type": "object"])])
        case "/openapi.json": summary = "this document"; response = .object(["type": "object"])
        case "/settings":
            if method == .get {
                isIndex = true
                response = .object(["type": "array", "items": OpenAPISchemas.settingsRecord])
                query = [("parent_id", .object(["type": "string"])),
                         ("limit", .object(["type": "integer", "minimum": 0, "maximum": 10_000])), ("offset", .object(["type": "integer", "minimum": 0]))]
            } else {
                requestBody = OpenAPISchemas.settingsWrite
                response = OpenAPISchemas.settingsRecord
                success = .created
                writes = true
            }
        case "/settings/:id":
            switch method {
            case .get: response = OpenAPISchemas.settingsRecord
            case .delete: success = HTTPStatus(202); writes = true
            default: requestBody = OpenAPISchemas.settingsWrite; response = OpenAPISchemas.settingsRecord; writes = true
            }
        case "/metadata/:parent_id", "/systems/:id/metadata", "/zones/:id/metadata", "/users/:id/metadata":
            response = OpenAPISchemas.metadataByName
            if method == .get { query = [("name", .object(["type": "string"]))] }
            if method == .put || method == .patch {
                requestBody = OpenAPISchemas.metadataWrite
                response = OpenAPISchemas.metadata
                writes = true
            }
            if method == .delete {
                query = [("name", .object(["type": "string"]))]
                success = HTTPStatus(202)
                writes = true
            }
        case "/metadata/:parent_id/children":
            query = [("name", .object(["type": "string"]))]
            response = .object(["type": "array", "items": .object(["type": "object", "properties": .object([
                "zone": OpenAPISchemas.response(.zones), "metadata": OpenAPISchemas.metadataByName])])])
        case "/metadata/:parent_id/history":
            query = [("name", .object(["type": "string"])), ("limit", .object(["type": "integer", "minimum": 0, "maximum": 10_000])),
                     ("offset", .object(["type": "integer", "minimum": 0]))]
            response = .object(["type": "object", "additionalProperties": .object(["type": "array", "items": OpenAPISchemas.metadata])])
        case "/metadata/:parent_id/name":
            summary = "rename a metadata entry (one commit)"
            requestBody = OpenAPISchemas.metadataRename
            response = OpenAPISchemas.metadata
            writes = true
        case "/users/resource_token":
            summary = "the caller's access token at their single sign-on provider, refreshed when needed"
            response = OpenAPISchemas.resourceToken
        case "/users/:id/resource_token":
            if method == .delete {
                summary = "forget the user's single sign-on token (admin)"
                success = HTTPStatus(202)
                writes = true
            } else {
                summary = "another user's single sign-on token (admin, with the users scope named explicitly)"
                response = OpenAPISchemas.resourceToken
            }
        case "/users/groups":
            summary = "the groups of the caller's domain's users with these emails"
            query = [("emails", .object(["type": "string"]))]
            response = .object(["type": "array", "items": .object(["type": "object", "required": .array(["groups"]), "properties": .object([
                "id": .object(["type": "string"]), "groups": .object(["type": "array", "items": .object(["type": "string"])])])])])
        case "/users/:id/revive":
            summary = "undo a user's soft delete (one commit); the user"
            response = OpenAPISchemas.response(.users)
            writes = true
        case "/metadata/:name/bulk":
            query = [("parent_ids", .object(["type": "string"]))]
            response = .object(["type": "object", "additionalProperties": OpenAPISchemas.metadata])
        case "/zones/tags": response = .object(["type": "array", "items": .object(["type": "string"])])
        case "/zones/:id/triggers": response = .object(["type": "array", "items": OpenAPISchemas.response(.triggers)])
        case "/systems/with_emails":
            query = [("in", .object(["type": "string"]))]
            response = .object(["type": "array", "items": OpenAPISchemas.response(.systems)])
        case "/zones/:id/exec/:mod/:method":
            let ids: JSONValue = .object(["type": "array", "items": .object(["type": "string"])])
            response = .object(["type": "object", "required": .array(["success", "failure", "module_missing"]),
                                "properties": .object(["success": ids, "failure": ids, "module_missing": ids])])
        case "/modules/:id/error":
            response = .object(["type": "object", "properties": .object([
                "id": .object(["type": "string"]), "state": .object(["type": "string"]), "has_runtime_error": .object(["type": "boolean"]),
                "error": .object(["type": "string", "nullable": true]), "offline_reason": .object(["type": "string", "nullable": true]),
            ])])
        case "/modules/:id/load": response = .object(["type": "boolean"])
        case "/drivers/:id/readme": summary = "the driver's README (text/markdown)"; response = .object(["type": "string"])
        case "/systems/:id/zones": response = .object(["type": "array", "items": OpenAPISchemas.response(.zones)])
        case "/systems/:id/settings", "/modules/:id/settings": response = .object(["type": "array", "items": OpenAPISchemas.settingsRecord])
        case "/systems/:id/module/:mod_id": response = OpenAPISchemas.response(.systems); writes = true
        case "/systems/:sys/functions/:mod":
            response = .object(["type": "object", "additionalProperties": .object([
                "type": "object", "properties": .object(["arity": .object(["type": "integer"]), "params": .object(["type": "object"]),
                                                         "order": .object(["type": "array", "items": .object(["type": "string"])])]),
            ])])
        case "/systems/:sys/types": response = .object(["type": "object", "additionalProperties": .object(["type": "integer"])])
        case "/modules/:id/ping":
            response = .object(["type": "object", "properties": .object([
                "host": .object(["type": "string", "nullable": true]), "pingable": .object(["type": "boolean"]),
                "warning": .object(["nullable": true]), "exception": .object(["nullable": true]),
            ])])
        default: response = anything
        }
        if method == .post, path.hasSuffix("/:method") {
            requestBody = .object(["type": "array", "description": "the function's arguments (or an object of named ones)"])
            optionalBody = true
        } else if requestBody == nil, [.post, .put, .patch].contains(method) {
            // Actions of their own (pull, recompile, a trigger's switches): an optional object.
            requestBody = .object(["type": "object"])
            optionalBody = true
        }
    }
}
