/// The type of a field in a configuration file, as validation understands it.
public indirect enum FieldType: Sendable, Equatable {
    case string
    case bool
    case int(ClosedRange<Int>?)
    case number
    case stringList
    case object
    case json
    /// One of the listed strings.
    case oneOf([String])
    /// One of the listed integers (with names for messages).
    case intCase([Int: String])
    /// An id of an object of the kind, which must exist.
    case reference(Kind)
    /// An ordered list of ids of the kind, each existing, no duplicates.
    case references(Kind)
    /// Settings levels (`none`, `support`, `admin`, `never_display`).
    case settings
    /// An `enc:v1:` envelope (OAuth secrets, repository passwords).
    case secret
    /// An absolute http(s) URL.
    case url
    /// The trigger instances of a system.
    case triggerInstances
    /// Allows `null` as well as the wrapped type.
    case nullable(FieldType)
}

/// A field of a kind: its JSON member name, type and whether it must be present.
public struct FieldSpec: Sendable {
    public var name: String
    public var type: FieldType
    public var required: Bool

    public init(_ name: String, _ type: FieldType, required: Bool = false) {
        self.name = name
        self.type = type
        self.required = required
    }
}
