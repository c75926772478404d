import ConfigRepo

/// JSON Schemas of the OpenAPI document, made from the per-kind field table (`Kind.fields`)
/// and the wire format (`WireFormat`): what each resource answers and what it takes.
enum OpenAPISchemas {
    /// The schema of a stored field's value.
    static func schema(_ type: FieldType) -> JSONValue {
        switch type {
        case .string, .secret: return .object(["type": "string"])
        case .bool: return .object(["type": "boolean"])
        case .int(let range):
            var members: [String: JSONValue] = ["type": "integer"]
            if let range {
                members["minimum"] = .int(range.lowerBound)
                if range.upperBound < Int.max { members["maximum"] = .int(range.upperBound) }
            }
            return .object(members)
        case .number: return .object(["type": "number"])
        case .stringList: return .object(["type": "array", "items": .object(["type": "string"])])
        case .object: return .object(["type": "object"])
        case .json: return .object([:])
        case .oneOf(let values): return .object(["type": "string", "enum": .array(values.map(JSONValue.string))])
        case .intCase(let cases):
            return .object(["type": "integer", "enum": .array(cases.keys.sorted().map(JSONValue.int)),
                            "description": .string(cases.keys.sorted().map { "\($0) \(cases[$0]!)" }.joined(separator: ", "))])
        case .reference(let kind): return .object(["type": "string", "description": .string("the id of a \(kind.noun)")])
        case .references(let kind):
            return .object(["type": "array", "items": .object(["type": "string"]), "description": .string("ids of \(kind.noun)s, in order")])
        case .settings:
            let level: JSONValue = .object(["type": "object"])
            return .object(["type": "object", "x-backoffice": true,
                            "description": "settings levels as the reader may see them (docs/rest-api.md); never_display is never shown",
                            "properties": .object(["none": level, "support": level, "admin": level, "never_display": level])])
        case .url: return .object(["type": "string", "format": "uri"])
        case .triggerInstances: return .object(["type": "array", "items": .object(["type": "object"])])
        case .nullable(let inner):
            guard case .object(var members) = schema(inner) else { return schema(inner) }
            members["nullable"] = true
            return .object(members)
        }
    }

    /// The stored fields of `resource` as schema properties (hidden members left out).
    static func fieldProperties(_ resource: RESTResource) -> [String: JSONValue] {
        let hidden = WireFormat.hiddenMembers(of: resource.kind)
        var properties: [String: JSONValue] = [:]
        for field in resource.kind.fields where !hidden.contains(field.name) { properties[field.name] = schema(field.type) }
        return properties
    }

    /// What the resource answers: its fields, unknown members kept, and the members the wire
    /// format adds.
    static func response(_ resource: RESTResource) -> JSONValue {
        var properties = fieldProperties(resource)
        properties["id"] = .object(["type": "string"])
        for member in ["created_at", "updated_at"] {
            properties[member] = .object(["type": "integer", "description": "Unix seconds, from the git history"])
        }
        properties["version"] = .object(["type": "integer", "minimum": 0, "description": "the number of commits that changed the object, minus one"])
        if resource.kind == .module {
            properties["name"] = .object(["type": "string"])
            properties["role"] = .object(["type": "integer"])
            properties["connected"] = .object(["type": "boolean"])
            properties["driver"] = .object(["type": "object"])
            properties["control_system"] = .object(["type": "object"])
        }
        if resource.kind == .apiKey {
            properties["x_api_key"] = .object(["type": "string", "description": "the key, in the answer to its creation only"])
        }
        return .object(["type": "object", "additionalProperties": true, "properties": .object(properties),
                        "required": .array(["id", "created_at", "updated_at", "version"])])
    }

    /// What a create (`required` true) or an update of the resource takes: members merged onto
    /// the stored object, `null` removing one, unknown members kept.
    static func request(_ resource: RESTResource, required: Bool) -> JSONValue {
        var properties = fieldProperties(resource)
        properties["id"] = .object(["type": "string", "description": "for a create: the new object's id (else a random one)"])
        properties["version"] = .object(["type": "integer", "description": "the version the change is based on (409 when stale)"])
        var members: [String: JSONValue] = ["type": "object", "additionalProperties": true, "properties": .object(properties)]
        let names = resource.kind.fields.filter(\.required).map(\.name)
        if required, !names.isEmpty { members["required"] = .array(names.map(JSONValue.string)) }
        return .object(members)
    }

    /// A PlaceOS Settings record (`SettingsView`).
    static let settingsRecord: JSONValue = .object([
        "type": "object", "required": .array(["id", "parent_id", "parent_type", "encryption_level", "settings_string", "keys"]),
        "properties": .object([
            "id": .object(["type": "string"]), "parent_id": .object(["type": "string"]),
            "parent_type": .object(["type": "string", "enum": .array(["control_system", "zone", "driver", "module"])]),
            "encryption_level": .object(["type": "integer", "enum": .array([0, 1, 2])]),
            "settings_string": .object(["type": "string"]), "keys": .object(["type": "array", "items": .object(["type": "string"])]),
            "created_at": .object(["type": "integer"]), "updated_at": .object(["type": "integer"]), "version": .object(["type": "integer"]),
        ]),
    ])

    static let settingsWrite: JSONValue = .object([
        "type": "object",
        "properties": .object([
            "parent_id": .object(["type": "string"]), "encryption_level": .object(["type": "integer"]),
            "settings_string": .object(["type": "string", "description": "a JSON object"]),
        ]),
    ])

    /// PlaceOS metadata (`RESTAPI+Metadata`).
    static let metadata: JSONValue = .object([
        "type": "object", "additionalProperties": true, "required": .array(["name", "parent_id", "details"]),
        "properties": .object([
            "name": .object(["type": "string"]), "description": .object(["type": "string"]), "details": .object([:]),
            "parent_id": .object(["type": "string"]), "schema_id": .object(["type": "string", "nullable": true]),
            "editors": .object(["type": "array", "items": .object(["type": "string"])]),
            "created_at": .object(["type": "integer"]), "updated_at": .object(["type": "integer"]), "version": .object(["type": "integer"]),
        ]),
    ])

    /// `{name: metadata}`.
    static let metadataByName: JSONValue = .object(["type": "object", "additionalProperties": metadata])

    /// What a metadata `PUT` or `PATCH` takes.
    static let metadataWrite: JSONValue = .object([
        "type": "object", "required": .array(["name"]),
        "properties": .object([
            "name": .object(["type": "string"]), "description": .object(["type": "string"]), "details": .object([:]),
            "schema_id": .object(["type": "string", "nullable": true]), "editors": .object(["type": "array", "items": .object(["type": "string"])]),
        ]),
    ])

    /// What a metadata rename (`PATCH metadata/:parent_id/name`) takes.
    static let metadataRename: JSONValue = .object([
        "type": "object", "required": .array(["current_name", "new_name"]),
        "properties": .object(["current_name": .object(["type": "string"]), "new_name": .object(["type": "string"])]),
    ])

    /// `users/resource_token`: the provider's token and when it expires (Unix seconds), if it does.
    static let resourceToken: JSONValue = .object([
        "type": "object", "required": .array(["token"]),
        "properties": .object(["token": .object(["type": "string"]), "expires": .object(["type": "integer", "nullable": true])]),
    ])

    static let error: JSONValue = .object(["type": "object", "properties": .object(["error": .object(["type": "string"])])])

    static let validationError: JSONValue = .object([
        "type": "object", "required": .array(["error", "failures"]),
        "properties": .object([
            "error": .object(["type": "string"]),
            "failures": .object(["type": "array", "items": .object([
                "type": "object", "required": .array(["field", "reason"]),
                "properties": .object(["field": .object(["type": "string"]), "reason": .object(["type": "string"])]),
            ])]),
        ]),
    ])

    static let badRequest: JSONValue = .object([
        "type": "object",
        "properties": .object(["error": .object(["type": "string"]), "parameter": .object(["type": "string"]),
                               "restriction": .object(["type": "string"])]),
    ])
}
