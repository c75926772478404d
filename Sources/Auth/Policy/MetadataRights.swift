import ConfigRepo

/// Who may read and change a metadata entry: the metadata's own rules, which the REST routes
/// (`RESTAPI+Metadata`) and the site's metadata editor both ask, so neither is looser.
///
/// Reading: a zone's or system's metadata is anyone's signed in; a user's is that user's and
/// support's. Writing: support and admins anywhere (through the clearance gate, as their
/// role); a user on their own user metadata, or where one of their `groups` is listed in the
/// entry's `editors`; only support and admins change `editors` or `schema_id`; only the owner
/// (or support) deletes.
public struct MetadataRights: Sendable {
    /// Why a write is refused.
    public enum Refusal: Equatable, Sendable {
        /// Not this person's metadata.
        case forbidden
        /// A member this person may not change (`editors`, `schema_id`), and why.
        case member(String, reason: String)
    }

    public let principal: Principal
    public let snapshot: Snapshot

    public init(principal: Principal, snapshot: Snapshot) {
        self.principal = principal
        self.snapshot = snapshot
    }

    /// Whether the principal may read the metadata of `parent`.
    public func mayRead(_ parent: ObjectRef) -> Bool {
        parent.kind != .user || parent.id == principal.userID || principal.has(.support)
    }

    /// Support and admins write metadata as their role; others only as owner or editor.
    public var writesAsRole: Bool { principal.mayEdit(.metadata) }

    /// Whether the principal may change the entry `old` of `parent` at all (nil: a new entry):
    /// the question a page asks before it shows the editor.
    public func mayWrite(_ parent: ObjectRef, existing old: ConfigDocument?) -> Bool {
        writesAsRole || isOwner(parent) || isEditor(of: old)
    }

    /// Why the change of `parent`'s entry from `old` to `new` (nil: created / deleted) is
    /// refused, or nil when the rules above allow it.
    public func refusal(toWrite parent: ObjectRef, old: ConfigDocument?, new: ConfigDocument?) -> Refusal? {
        if writesAsRole { return nil }
        let owner = isOwner(parent)
        guard owner || isEditor(of: old ?? new) else { return .forbidden }
        for key in ["editors", "schema_id"] where old?[key] != new?[key] && !(old == nil && new?[key] == nil) {
            return .member(key, reason: "only support and admins change it")
        }
        if old != nil, new == nil, !owner { return .forbidden }
        return nil
    }

    /// How the repository is asked to commit a write of `refs` the rules above let through:
    /// support and admins as their role (the clearance gate checks it); an owner or editor
    /// trusted for these files (one; two for a rename) and nothing else.
    public static func commitTerms(of principal: Principal, for refs: Set<ObjectRef>) -> (permits: @Sendable (ObjectRef) -> Bool, actingAs: Role?) {
        if principal.mayEdit(.metadata) { return ({ principal.mayEdit($0.kind) }, principal.role) }
        return ({ refs.contains($0) }, nil)
    }

    private func isOwner(_ parent: ObjectRef) -> Bool { parent.kind == .user && parent.id == principal.userID }

    private func isEditor(of document: ConfigDocument?) -> Bool {
        let groups = Set(snapshot.document(.user, principal.userID)?.strings("groups") ?? [])
        return !Set(document?.strings("editors") ?? []).isDisjoint(with: groups)
    }
}
