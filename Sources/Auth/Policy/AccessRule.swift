import ConfigRepo
import WebServer

/// Who may use a route: anyone, anyone signed in, or a minimum role; plus, for tokens and API
/// keys, the scope the route needs (`systems.read`). Sessions are never scope-limited.
public struct AccessRule: Sendable, Hashable, CustomStringConvertible {
    public enum Requirement: Sendable, Hashable {
        case `public`
        case signedIn
        case role(Role)
        /// Signed in and `Principal.mayEdit` the kind named by the route parameter
        /// (`/backoffice/:kind/:id/edit`); an unknown kind needs admin.
        case editorOfKind(parameter: String)
        /// Signed in and `Principal.mayView` the kind named by the path segment at `index`
        /// (`/backoffice/users/…` → `users`); paths naming no kind only need sign-in.
        case viewerOfKindSegment(index: Int)
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

    /// What this rule decides for `principal` (the request's route parameters and path segments
    /// for the kind-dependent requirements).
    public func decide(for principal: Principal, parameters: [String: String] = [:], segments: [String] = []) -> Decision {
        if case .public = requirement { return .allow }
        guard principal.isAuthenticated else { return .signInRequired }
        switch requirement {
        case .public, .signedIn: break
        case .role(let role):
            if principal.role < role { return .forbidden }
        case .editorOfKind(let parameter):
            guard let name = parameters[parameter], let kind = Kind(directory: name) else {
                if !principal.has(.admin) { return .forbidden }
                break
            }
            if !principal.mayEdit(kind) { return .forbidden }
        case .viewerOfKindSegment(let index):
            if index < segments.count, let kind = Kind(directory: segments[index]), !principal.mayView(kind) { return .forbidden }
        }
        return Scope.allows(principal.scopes, scope) ? .allow : .forbidden
    }

    public enum Decision: Sendable, Equatable { case allow, signInRequired, forbidden }

    public var description: String {
        let who = switch requirement {
        case .public: "public"
        case .signedIn: "signed in"
        case .role(let role): "role \(role)"
        case .editorOfKind(let parameter): "editor of :\(parameter)"
        case .viewerOfKindSegment(let index): "viewer of path segment \(index)"
        }
        return scope.map { "\(who), scope \($0)" } ?? who
    }
}
