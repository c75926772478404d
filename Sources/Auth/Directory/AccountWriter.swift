import ConfigRepo
import WebServer

/// Creates users and API keys: the object goes into the configuration repository as one
/// commit; the password hash goes to the state directory only.
public struct AccountWriter: Sendable {
    public let repository: ConfigRepository
    public let passwords: PasswordStore
    public let hasher: PasswordHasher

    public init(repository: ConfigRepository, passwords: PasswordStore, hasher: PasswordHasher = .standard) {
        self.repository = repository
        self.passwords = passwords
        self.hasher = hasher
    }

    /// What `addUser` did.
    public enum Outcome: Sendable, Equatable {
        case created(UserRecord)
        /// The user existed without a password; the password was set (and the role raised if asked).
        case passwordSet(UserRecord)
    }

    /// Creates a user in `domainID` (default: the only or first domain) with a password.
    /// Refuses an email already used by a user that has a password.
    public func addUser(email: String, name: String, role: Role, password: String, domainID: String? = nil,
                        author: Signature) throws(AccountError) -> Outcome {
        let email = email.trimmingSpaces
        let name = name.trimmingSpaces
        guard Self.isPlausibleEmail(email) else { throw .invalid("--email \"\(email)\" is not an email address") }
        guard !name.isEmpty else { throw .invalid("--name must not be empty") }
        try Self.checkPassword(password)
        let snapshot: Snapshot
        do { snapshot = try repository.headSnapshot() } catch { throw .store("\(error)") }
        let directory = IdentityDirectory(snapshot: snapshot)
        let domain: DomainRecord
        if let domainID {
            guard let found = directory.domain(id: domainID) else { throw .invalid("domain \(domainID) does not exist") }
            domain = found
        } else {
            guard let first = directory.domains.first else { throw .invalid("the configuration has no domain (domains/*.json)") }
            domain = first
        }
        if let deleted = directory.deletedUser(email: email, domainID: domain.id) {
            throw .invalid("the user with email \(email) in \(domain.id) (\(deleted)) is deleted; revive it first (POST /api/engine/v2/users/\(deleted)/revive)")
        }
        if let existing = directory.user(email: email, domainID: domain.id) {
            if passwords.hasPassword(existing.id) {
                throw .invalid("a user with email \(email) already exists in \(domain.id) (\(existing.id))")
            }
            var record = existing
            if role > existing.role, var document = snapshot.document(.user, existing.id) {
                document.members["sys_admin"] = .bool(role == .admin)
                document.members["support"] = .bool(role >= .support)
                do { try repository.apply([.save(document)], author: author, message: "Grant \(role) to \(email)") } catch {
                    throw .store(error.description)
                }
                record.role = role
            }
            do { try passwords.set(hasher.hash(password), for: existing.id) } catch { throw .store("\(error)") }
            return .passwordSet(record)
        }
        let id = IdentifierRules.newID(for: .user)
        var document = ConfigDocument(ref: ObjectRef(.user, id))
        document.members = ["name": .string(name), "email": .string(email), "authority_id": .string(domain.id),
                            "sys_admin": .bool(role == .admin), "support": .bool(role >= .support)]
        do {
            try repository.apply([.save(document)], author: author, message: "Add user \(email) (\(role))")
        } catch {
            throw .store(error.description)
        }
        do { try passwords.set(hasher.hash(password), for: id) } catch { throw .store("\(error)") }
        return .created(UserRecord(id: id, name: name, email: email, domainID: domain.id, role: role, groups: []))
    }

    /// Creates an API key for the user with `email` (see `APIKeyIssuer`).
    public func createAPIKey(userEmail: String, name: String, scopes: [String], expiresInDays: Int?, permissions: Int?,
                             now: Int, author: Signature) throws(AccountError) -> (record: APIKeyRecord, key: String) {
        try APIKeyIssuer(repository: repository).create(userEmail: userEmail, name: name, scopes: scopes, expiresInDays: expiresInDays,
                                                        permissions: permissions, now: now, author: author)
    }

    public static func checkPassword(_ password: String) throws(AccountError) {
        let length = password.utf8.count
        guard length >= PasswordHasher.minimumLength else {
            throw .invalid("the password must be at least \(PasswordHasher.minimumLength) characters")
        }
        guard length <= PasswordHasher.maximumLength else {
            throw .invalid("the password must be at most \(PasswordHasher.maximumLength) bytes")
        }
    }

    static func isPlausibleEmail(_ email: String) -> Bool {
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && !parts[1].isEmpty && email.utf8.count <= 254
            && !email.contains(where: { $0 == " " || $0 == "<" || $0 == ">" || $0.isNewline })
    }
}

public enum AccountError: Error, Sendable, CustomStringConvertible {
    case invalid(String)
    case store(String)

    public var description: String {
        switch self {
        case .invalid(let message): message
        case .store(let message): "the configuration repository refused the change: \(message)"
        }
    }
}

extension String {
    var trimmingSpaces: String {
        var slice = Substring(self)
        while let first = slice.first, first.isWhitespace { slice.removeFirst() }
        while let last = slice.last, last.isWhitespace { slice.removeLast() }
        return String(slice)
    }
}
