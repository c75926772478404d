import ConfigRepo

/// The new-API-key form and the page that shows a new key once (`api-key-new`, `api-key-created`).
public struct APIKeyPages {
    /// At most this many users are offered in the owner list.
    static let userLimit = 300

    public let snapshot: Snapshot

    public init(snapshot: Snapshot) { self.snapshot = snapshot }

    /// The form with `inputs` as typed. `inputs["user"]` may be a user id (from the user's page);
    /// the form asks for the email.
    public func form(inputs: [String: String], token: String, error: String?) -> [String: TemplateValue] {
        var user = inputs["user"] ?? ""
        if let document = snapshot.document(.user, user), let email = document.string("email") { user = email }
        let permissions = inputs["permissions"] ?? ""
        let choices: [(String, String)] = [("", "the owner's"), ("0", "user"), ("1", "support"), ("2", "admin")]
        return [
            "action": .string(SiteURL.new(.apiKey)), "token": .string(token), "error": .optional(error), "user": .string(user),
            "name": .string(inputs["name"] ?? ""), "scopes": .string(inputs["scopes"] ?? "public"),
            "expires": .string(inputs["expires"] ?? ""), "listURL": .string(SiteURL.list(.apiKey)),
            "permissionOptions": .list(choices.map { ["value": .string($0.0), "text": .string($0.1), "selected": .bool($0.0 == permissions)] }),
            "users": .list(snapshot.unordered(.user).compactMap { $0.string("email") }.sorted().prefix(Self.userLimit).map { .string($0) }),
        ]
    }

    /// The page that shows the key `<id>.<secret>`: the one and only time it is shown.
    public static func created(key: String, id: String, name: String, userEmail: String, scopes: [String]) -> [String: TemplateValue] {
        let ref = ObjectRef(.apiKey, id)
        return [
            "key": .string(key), "id": .string(id), "name": .string(name), "user": .string(userEmail),
            "scopes": .list(scopes.map { .string($0) }), "detailURL": .string(SiteURL.detail(ref)), "listURL": .string(SiteURL.list(.apiKey)),
        ]
    }
}
