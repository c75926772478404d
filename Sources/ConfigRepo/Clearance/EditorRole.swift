/// Who edits which kind of object (DESIGN §6): admins everything; support systems, zones,
/// modules and metadata; users nothing. The one table the site, the REST API and reverts ask.
extension Kind {
    /// The least role that may create, edit, delete or revert objects of this kind.
    public var editorRole: Role {
        switch self {
        case .system, .zone, .module, .metadata: .support
        case .domain, .application, .authStrategy, .user, .apiKey, .repository, .driver, .trigger, .schema, .broker: .admin
        }
    }
}

extension Kind {
    /// The least role that may see objects of this kind in the site: users see systems, zones and
    /// metadata (never users, keys, drivers, repositories or auth); support and admins everything.
    public var viewerRole: Role {
        switch self {
        case .system, .zone, .metadata: .user
        default: .support
        }
    }
}

extension Role {
    /// Whether this role may create, edit, delete or revert objects of `kind` (field-level
    /// rules come on top: ``ChangeClearance``).
    public func mayEdit(_ kind: Kind) -> Bool { self >= .support && self >= kind.editorRole }

    /// Whether this role may see objects of `kind` in the site.
    public func mayView(_ kind: Kind) -> Bool { self >= kind.viewerRole }
}

extension SettingsLevel {
    /// The least role that may change values at this level: the role that may read them
    /// (`never_display`, readable by nobody, is written by admins).
    public var writerRole: Role {
        switch self {
        case .none: .user
        case .support: .support
        case .admin, .neverDisplay: .admin
        }
    }
}
