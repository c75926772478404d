import ConfigRepo
import WebServer

/// Makes API keys: one commit of `api-keys/<id>.json` holding only a salted hash of the secret.
/// Used by `backoffice api-key create` and by the site's new-key form.
public struct APIKeyIssuer: Sendable {
    public let repository: ConfigRepository

    public init(repository: ConfigRepository) {
        self.repository = repository
    }

    /// Creates an API key for the user with `userEmail`; returns the record and the key text
    /// `<id>.<secret>`, which exists nowhere else and must be shown once.
    public func create(userEmail: String, name: String, scopes: [String], expiresInDays: Int?, permissions: Int?,
                       now: Int, author: Signature) throws(AccountError) -> (record: APIKeyRecord, key: String) {
        let snapshot: Snapshot
        do { snapshot = try repository.headSnapshot() } catch { throw .store("\(error)") }
        let directory = IdentityDirectory(snapshot: snapshot)
        guard let user = directory.users.first(where: { $0.email.lowercased() == userEmail.lowercased().trimmingSpaces }) else {
            throw .invalid("no user has the email \(userEmail)")
        }
        let name = name.trimmingSpaces
        guard !name.isEmpty else { throw .invalid("the key needs a name") }
        for scope in scopes where !Scope.isWellFormed(scope) {
            throw .invalid("scope \"\(scope)\" is not of the form public or <resource>[.read|.write]")
        }
        if let permissions, !(0...3).contains(permissions) { throw .invalid("permissions must be 0 to 3") }
        if let days = expiresInDays, !(1...3650).contains(days) { throw .invalid("the expiry must be 1 to 3650 days") }
        let id = IdentifierRules.newID(for: .apiKey)
        let (secret, hash) = APIKeySecret.make(id: id)
        let expiresAt = expiresInDays.map { now + $0 * 86400 }
        var document = ConfigDocument(ref: ObjectRef(.apiKey, id))
        document.members = ["name": .string(name), "user_id": .string(user.id),
                            "scopes": .array((scopes.isEmpty ? ["public"] : scopes).map(JSONValue.string)),
                            "secret_hash": .string(hash)]
        if let expiresAt { document.members["expires_at"] = .int(expiresAt) }
        if let permissions { document.members["permissions"] = .int(permissions) }
        do {
            try repository.apply([.save(document)], author: author, message: "Create API key \(name) for \(user.email)")
        } catch {
            throw .store(error.description)
        }
        let record = APIKeyRecord(id: id, name: name, userID: user.id, scopes: scopes.isEmpty ? ["public"] : scopes,
                                  permissions: permissions, expiresAt: expiresAt, secretHash: hash)
        return (record, id + "." + secret)
    }
}
