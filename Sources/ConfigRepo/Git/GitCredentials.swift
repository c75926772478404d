/// What a remote asks for before it lets us fetch: a user name and a password or token
/// (http(s) basic auth). For ssh remotes the key comes from the ssh agent
/// (`SSH_AUTH_SOCK`) and `username` (or the URL's user) names the account.
///
/// A token alone is a password with no user name; hosts accept any name with a token, so
/// `git` is sent.
public struct GitCredentials: Sendable, Hashable {
    public var username: String?
    public var password: String?

    public init(username: String? = nil, password: String? = nil) {
        self.username = username.flatMap { $0.isEmpty ? nil : $0 }
        self.password = password.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// No credentials: public repositories and local paths.
    public static let none = GitCredentials()

    public var isEmpty: Bool { username == nil && password == nil }
}
