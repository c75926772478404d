/// `backoffice.json`: deployment-wide settings (site title, tracked branch, global settings).
public struct DeploymentFile: Sendable, Hashable {
    public var members: [String: JSONValue]
    public var version: ObjectID?

    public init(members: [String: JSONValue] = [:], version: ObjectID? = nil) {
        self.members = members
        self.version = version
    }

    /// The site title; "BackOffice" when unset.
    public var title: String { members["title"]?.stringValue ?? "BackOffice" }

    /// The tracked branch; "main" when unset.
    public var branch: String { members["branch"]?.stringValue ?? "main" }

    /// The kinds whose new files go into shard folders (`layout.sharded`: directory names).
    public var shardedKinds: Set<Kind> {
        let names = members["layout"]?.objectValue?["sharded"]?.arrayValue?.compactMap(\.stringValue) ?? []
        return Set(names.compactMap { Kind(directory: $0) }.filter { $0 != .metadata })
    }

    /// The global settings (lowest precedence of every module's merge).
    public var settings: JSONValue? { members["settings"] }

    /// The file as our writer stores it (docs/config-format.md, canonical form): reading a
    /// canonical file and writing it back gives the same bytes.
    public var canonicalBytes: [UInt8] { JSONWriter.canonicalBytes(.object(members)) }

    /// Reads the file; the error says where the JSON is broken.
    public static func decode(_ bytes: [UInt8], version: ObjectID?) throws(DocumentDecodingError) -> DeploymentFile {
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            throw .malformedJSON(error)
        }
        guard case .object(let members) = value else { throw .notAnObject(found: value.typeName) }
        return DeploymentFile(members: members, version: version)
    }
}
