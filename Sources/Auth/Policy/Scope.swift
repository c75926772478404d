import WebServer
/// OAuth2 / API-key scopes as PlaceOS uses them: `public` (everything the role allows), or
/// `<resource>` (read and write), `<resource>.read`, `<resource>.write`.
public enum Scope {
    /// Whether `granted` scopes allow `required` (`systems.read`, `systems.write`, or a bare
    /// resource meaning either). nil `granted` is a signed-in session: unrestricted.
    public static func allows(_ granted: [String]?, _ required: String?) -> Bool {
        guard let granted else { return true }
        if granted.contains("public") { return true }
        guard let required else { return false }
        let (resource, access) = split(required)
        for scope in granted {
            let (grantedResource, grantedAccess) = split(scope)
            guard grantedResource == resource else { continue }
            if grantedAccess == nil || grantedAccess == access { return true }
        }
        return false
    }

    /// `public`, `openid`, or `<resource>[.read|.write]` with resource in `[a-z0-9_-]`.
    public static func isWellFormed(_ scope: String) -> Bool {
        let (resource, access) = split(scope)
        guard !resource.isEmpty, resource.utf8.count <= 64,
              resource.utf8.allSatisfy({ (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x5F || $0 == 0x2D })
        else { return false }
        return access == nil || access == "read" || access == "write"
    }

    static func split(_ scope: String) -> (resource: String, access: String?) {
        guard let dot = scope.firstIndex(of: ".") else { return (scope, nil) }
        return (String(scope[..<dot]), String(scope[scope.index(after: dot)...]))
    }
}
