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

    /// The file holding the object, relative to the repository root.
    public var path: String { "\(kind.directory)/\(id).json" }

    public var description: String { "\(kind.noun) \(id)" }

    public static func < (lhs: ObjectRef, rhs: ObjectRef) -> Bool {
        lhs.kind == rhs.kind ? lhs.id < rhs.id : lhs.kind < rhs.kind
    }
}
