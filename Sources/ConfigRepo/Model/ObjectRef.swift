/// Names one configuration object: its kind and id.
///
/// Metadata ids are `<parent-id>/<name>`, mirroring `metadata/<parent-id>/<name>.json`.
public struct ObjectRef: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var kind: Kind
    public var id: String

    public init(_ kind: Kind, _ id: String) {
        self.kind = kind
        self.id = id
    }

    /// The object's flat file, relative to the repository root (`modules/<id>.json`). A
    /// snapshot knows where an object actually lives: ask ``Snapshot/path(of:)``.
    public var path: String { "\(kind.directory)/\(id).json" }

    /// The object's file in a sharded directory (`modules/<shard>/<id>.json`), where the
    /// shard is two hex digits of a hash of the id (``ObjectShard``). Metadata is never sharded.
    public var shardedPath: String { "\(kind.directory)/\(ObjectShard.of(id))/\(id).json" }

    public var description: String { "\(kind.noun) \(id)" }

    public static func < (lhs: ObjectRef, rhs: ObjectRef) -> Bool {
        lhs.kind == rhs.kind ? lhs.id < rhs.id : lhs.kind < rhs.kind
    }
}
