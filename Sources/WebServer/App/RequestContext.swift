/// Names a value the application attaches to a request (who is asking, say) and what a request
/// holds before anything attached one. The server itself attaches nothing.
///
/// For anything that grants access the default must deny: a request that no gate looked at is
/// then worth nothing.
public protocol RequestContextKey {
    associatedtype Value: Sendable
    /// The value of a request nothing has set it on.
    static var defaultValue: Value { get }
}

/// Typed values the application attaches to a request, by key type:
/// `request.context[PrincipalKey.self]`. Set by the router's gate, read by handlers.
public struct RequestContext: Sendable {
    private var values: [ObjectIdentifier: any Sendable] = [:]

    public init() {}

    /// The value for `key`, or the key's default when none was set.
    public subscript<Key: RequestContextKey>(_ key: Key.Type) -> Key.Value {
        get { values[ObjectIdentifier(key)] as? Key.Value ?? Key.defaultValue }
        set { values[ObjectIdentifier(key)] = newValue }
    }
}
