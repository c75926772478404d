import ConfigRepo

/// Turns an SSO identity into a user of the domain (PlaceOS's first SSO login): the user it
/// is linked to; else the domain's user with the same email, adopted and linked; else a new
/// user, committed by the deployment (`Signature.backoffice`) with a message in words. Later
/// sign-ins bring the name, email and groups up to date (one commit, only when they changed),
/// and — when the domain maps IdP groups to roles — the role.
struct SSOAccounts {
    let repository: ConfigRepository
    let links: SSOLinks
    let directory: DirectoryCache

    enum Failure: Error, CustomStringConvertible {
        /// Said to the visitor: what is wrong and what to do.
        case refused(String)
        case store(String)

        var description: String {
            switch self {
            case .refused(let message): message
            case .store(let message): "the configuration repository refused the change: \(message)"
            }
        }
    }

    /// The user `identity` signs in as, in `domain`, after creating or updating it.
    func user(for identity: SSOIdentity, in domain: DomainRecord, strategyName: String) throws(Failure) -> UserRecord {
        guard AccountWriter.isPlausibleEmail(identity.email) else {
            throw .refused("The identity provider did not give an email address for this account.")
        }
        do {
            return try links.exclusively { () throws(Failure) -> UserRecord in
                directory.invalidate()
                let current = directory.current
                let roles = RoleGroups(domain: current.snapshot.document(.domain, domain.id))
                if let linked = links.userID(domainID: domain.id, identity: identity), let user = current.user(id: linked),
                   user.domainID == domain.id {
                    return try update(user, from: identity, roles: roles, snapshot: current.snapshot, strategyName: strategyName)
                }
                if current.deletedUser(email: identity.email, domainID: domain.id) != nil {
                    throw .refused("This account was deleted. An administrator can restore it.")
                }
                if let existing = current.user(email: identity.email, domainID: domain.id) {
                    guard identity.emailVerified != false else {
                        throw .refused("The identity provider says this email address is not verified; it cannot sign in to an existing account.")
                    }
                    let user = try update(existing, from: identity, roles: roles, snapshot: current.snapshot, strategyName: strategyName)
                    try link(domain, identity, user.id)
                    return user
                }
                let user = try create(identity, in: domain, roles: roles, strategyName: strategyName)
                try link(domain, identity, user.id)
                return user
            }
        } catch let failure as Failure {
            throw failure
        } catch {
            throw .store("\(error)")
        }
    }

    private func link(_ domain: DomainRecord, _ identity: SSOIdentity, _ userID: String) throws(Failure) {
        do { try links.link(domainID: domain.id, identity: identity, userID: userID) } catch { throw .store("\(error)") }
    }

    private func create(_ identity: SSOIdentity, in domain: DomainRecord, roles: RoleGroups, strategyName: String) throws(Failure) -> UserRecord {
        let id = IdentifierRules.newID(for: .user)
        let role = roles.role(for: identity.groups) ?? .user
        var document = ConfigDocument(ref: ObjectRef(.user, id))
        document.members = ["name": .string(identity.name), "email": .string(identity.email), "authority_id": .string(domain.id),
                            "sys_admin": .bool(role == .admin), "support": .bool(role >= .support)]
        if !identity.groups.isEmpty { document.members["groups"] = .array(identity.groups.map(JSONValue.string)) }
        try commit(document, message: "Add user \(identity.email) (\(role)): first sign-in through \"\(strategyName)\"")
        return UserRecord(id: id, name: identity.name, email: identity.email, domainID: domain.id, role: role, groups: identity.groups)
    }

    private func update(_ user: UserRecord, from identity: SSOIdentity, roles: RoleGroups, snapshot: Snapshot,
                        strategyName: String) throws(Failure) -> UserRecord {
        guard var document = snapshot.document(.user, user.id) else { return user }
        var updated = user
        var changed: [String] = []
        if identity.name != user.name {
            document.members["name"] = .string(identity.name)
            updated.name = identity.name
            changed.append("name")
        }
        if identity.email.lowercased() != user.email.lowercased() {
            document.members["email"] = .string(identity.email)
            updated.email = identity.email
            changed.append("email")
        }
        if identity.groups != user.groups {
            document.members["groups"] = .array(identity.groups.map(JSONValue.string))
            updated.groups = identity.groups
            changed.append("groups")
        }
        if let role = roles.role(for: identity.groups), role != user.role {
            document.members["sys_admin"] = .bool(role == .admin)
            document.members["support"] = .bool(role >= .support)
            updated.role = role
            changed.append("role \(user.role) → \(role)")
        }
        guard !changed.isEmpty else { return user }
        try commit(document, message: "users: \(changed.joined(separator: ", ")) of \(user.email) from sign-in through \"\(strategyName)\"")
        return updated
    }

    private func commit(_ document: ConfigDocument, message: String) throws(Failure) {
        do {
            try repository.apply([.save(document)], author: .backoffice, message: message)
        } catch {
            throw .store(error.description)
        }
        directory.invalidate()
    }
}

/// A domain's mapping of IdP groups to roles: `internals.sso_admin_groups` and
/// `internals.sso_support_groups` (lists of group names or ids as the IdP sends them). When the
/// domain has either, the role of an SSO user follows their groups at every sign-in; without
/// one, SSO never changes a role.
struct RoleGroups {
    var admin: Set<String> = []
    var support: Set<String> = []

    init(domain: ConfigDocument?) {
        let internals = domain?.object("internals") ?? [:]
        admin = Set(internals["sso_admin_groups"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        support = Set(internals["sso_support_groups"]?.arrayValue?.compactMap(\.stringValue) ?? [])
    }

    func role(for groups: [String]) -> Role? {
        guard !admin.isEmpty || !support.isEmpty else { return nil }
        if groups.contains(where: admin.contains) { return .admin }
        if groups.contains(where: support.contains) { return .support }
        return .user
    }
}
