/// One configuration object: the members of its JSON file, unknown ones included.
///
/// Typed access goes through the kind views (`SystemView`, `ModuleView`, …) and the
/// accessors below; the members themselves stay the source of truth so that a load and
/// a save never lose what an engineer wrote.
public struct ConfigDocument: Sendable, Hashable {
    public var ref: ObjectRef
    public var members: [String: JSONValue]
    /// The blob id of the file this was read from; nil for a new object.
    public var version: ObjectID?
    /// The file this was read from (flat or sharded); the flat path for a new object, until
    /// a write places it where the repository's layout says.
    public var path: String

    public init(ref: ObjectRef, members: [String: JSONValue] = [:], version: ObjectID? = nil, path: String? = nil) {
        self.ref = ref
        self.members = members
        self.version = version
        self.path = path ?? ref.path
    }

    public var kind: Kind { ref.kind }
    public var id: String { ref.id }

    /// The canonical file bytes (DESIGN §3.2).
    public var canonicalBytes: [UInt8] { JSONWriter.canonicalBytes(.object(members)) }

    /// The object's display name: `name` when set, else the id.
    public var displayName: String {
        if let name = string("name"), !name.isEmpty { return name }
        return id
    }

    public subscript(member: String) -> JSONValue? {
        get { members[member] }
        set { members[member] = newValue }
    }

    /// The member as a string, nil when absent or of another type.
    public func string(_ member: String) -> String? { members[member]?.stringValue }

    /// The member as a boolean, nil when absent or of another type.
    public func bool(_ member: String) -> Bool? { members[member]?.boolValue }

    /// The member as an integer, nil when absent or not integral.
    public func int(_ member: String) -> Int? { members[member]?.intValue }

    /// The member's string elements; empty when absent (non-strings are skipped).
    public func strings(_ member: String) -> [String] {
        members[member]?.arrayValue?.compactMap(\.stringValue) ?? []
    }

    /// The member as an object, nil when absent or of another type.
    public func object(_ member: String) -> [String: JSONValue]? { members[member]?.objectValue }

    /// Sets a string member, removing it for nil.
    public mutating func set(_ member: String, string value: String?) {
        members[member] = value.map(JSONValue.string)
    }

    /// Sets a list of strings (ordered id lists such as a system's zones).
    public mutating func set(_ member: String, strings value: [String]) {
        members[member] = .array(value.map(JSONValue.string))
    }
}

extension ConfigDocument {
    /// Reads a document from file bytes; the error says where the JSON is broken.
    public static func decode(_ bytes: [UInt8], ref: ObjectRef, version: ObjectID?, path: String? = nil) throws(DocumentDecodingError) -> ConfigDocument {
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            throw .malformedJSON(error)
        }
        guard case .object(let members) = value else {
            throw .notAnObject(found: value.typeName)
        }
        return ConfigDocument(ref: ref, members: members, version: version, path: path)
    }
}

/// Why a file could not be read as a configuration object.
public enum DocumentDecodingError: Error, Sendable, Equatable {
    case malformedJSON(JSONParseError)
    case notAnObject(found: String)

    /// The problem's location within the file (`line 3, column 7`), if known.
    public var location: String {
        switch self {
        case .malformedJSON(let error): "line \(error.line), column \(error.column)"
        case .notAnObject: ""
        }
    }

    public var message: String {
        switch self {
        case .malformedJSON(let error): "invalid JSON: \(error.message)"
        case .notAnObject(let found): "the file must hold a JSON object, found \(found)"
        }
    }
}
