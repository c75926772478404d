import ConfigRepo

/// Who may use a route: anyone, anyone signed in, or a minimum role; plus, for tokens and API
/// keys, the scope the route needs (`systems.read`). Sessions are never scope-limited.
public struct AccessRule: Sendable, Hashable, CustomStringConvertible {
    public enum Requirement: Sendable, Hashable {
        case `public`
        case signedIn
        case role(Role)
    }

    public var requirement: Requirement
    /// `<resource>.read|.write`; nil: tokens need `public`.
    public var scope: String?

    public init(_ requirement: Requirement, scope: String? = nil) {
        self.requirement = requirement
        self.scope = scope
    }

    public static let `public` = AccessRule(.public)
    public static let signedIn = AccessRule(.signedIn)
    public static func role(_ role: Role, scope: String? = nil) -> AccessRule { AccessRule(.role(role), scope: scope) }
    public static func signedIn(scope: String?) -> AccessRule { AccessRule(.signedIn, scope: scope) }

    /// What this rule decides for `principal`.
    public func decide(for principal: Principal) -> Decision {
        switch requirement {
        case .public: return .allow
        case .signedIn, .role:
            guard principal.isAuthenticated else { return .signInRequired }
            if case .role(let role) = requirement, principal.role < role { return .forbidden }
            return Scope.allows(principal.scopes, scope) ? .allow : .forbidden
        }
    }

    public enum Decision: Sendable, Equatable { case allow, signInRequired, forbidden }

    public var description: String {
        let who = switch requirement {
        case .public: "public"
        case .signedIn: "signed in"
        case .role(let role): "role \(role)"
        }
        return scope.map { "\(who), scope \($0)" } ?? who
    }
}
