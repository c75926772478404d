import WebServer

/// The request-context key of who is asking. A request no gate has looked at is the anonymous
/// visitor, who may do nothing a route protects: never the administrator.
public enum PrincipalKey: RequestContextKey {
    public static var defaultValue: Principal { .anonymous }
}

extension Request {
    /// Who is asking, as the access gate set it (`AccessGate`, or `LocalAdminGate` with
    /// `serve --auth off`); `.anonymous` when no gate ran.
    public var principal: Principal {
        get { context[PrincipalKey.self] }
        set { context[PrincipalKey.self] = newValue }
    }
}
