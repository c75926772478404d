/// The clearance a change needs (docs/settings-and-secrets.md §7): what each changed file asks
/// of the role making the change. Form saves, reverts, and later the REST API and branch merges
/// ask the same question, and a write goes ahead only when the acting role meets every answer.
///
/// - An object: the kind's editor role (``Kind/editorRole``); each settings level it changes,
///   the role that may read that level (``SettingsLevel/writerRole``); for a module, changing
///   where it connects (``connectionFields``, or creating it) needs the role that may read the
///   most secret level it receives after the merge, since the runtime sends every received
///   value to that endpoint.
/// - `backoffice.json`: admin. Maps: support (zones are support's). Any other file: admin.
/// - A file that does not read as its kind: admin (its fields cannot be checked).
public enum ChangeClearance {
    /// The module fields that decide where its settings are sent: host, port, URI, transport,
    /// and the driver (the code that receives them).
    public static let connectionFields = ["driver_id", "ip", "port", "uri", "tls", "udp"]

    /// What changing `ref` from `old` to `new` needs; `after` is the tree the change makes
    /// (for what a module receives once it is made). Nil on either side: created or deleted.
    public static func forObject(_ ref: ObjectRef, old: ConfigDocument?, new: ConfigDocument?,
                                 after: Snapshot) -> [ClearanceRequirement] {
        let path = new?.path ?? old?.path ?? after.path(of: ref)
        let kind = ref.kind
        var requirements = [ClearanceRequirement(
            path: path, role: kind.editorRole,
            reason: "\(kind.directory) are edited by " + (kind.editorRole == .admin ? "admins only" : "support and admins"))]
        requirements += settingsLevels(changedFrom: old?["settings"], to: new?["settings"], path: path)
        if kind == .module, let new {
            let moved = connectionFields.filter { old?[$0] != new[$0] }
            if let field = moved.first {
                let level = after.mostSecretLevel(receivedByModule: ref.id) ?? .none
                if level.writerRole > .user {
                    requirements.append(ClearanceRequirement(
                        path: path, field: old == nil ? nil : field, role: level.writerRole,
                        reason: (old == nil ? "creating a module" : "changing where a module connects")
                            + " needs the clearance of the most secret settings it receives (\(level.key) level)"))
                }
            }
        }
        return requirements
    }

    /// What changing a file that is not an object needs (the deployment file, a map, a README).
    public static func forFile(_ path: String) -> [ClearanceRequirement] {
        switch RepoPath(path) {
        case .deployment:
            [ClearanceRequirement(path: path, role: .admin, reason: "the deployment file is changed by admins only")]
        case .map:
            [ClearanceRequirement(path: path, role: .support, reason: "maps are changed by support and admins")]
        case .object(let ref):
            [ClearanceRequirement(path: path, role: .admin, reason: "this \(ref.kind.noun) file cannot be read, so only admins may change it")]
        case .ignored, .invalid:
            [ClearanceRequirement(path: path, role: .admin, reason: "files outside the configuration objects are changed by admins only")]
        }
    }

    /// What changing `paths` from the tree `before` to the tree `after` needs: a revert's
    /// effect, a merge, a push. Objects are compared field by field.
    public static func forTrees(before: Snapshot, after: Snapshot, paths: some Sequence<String>) -> [ClearanceRequirement] {
        var requirements: [ClearanceRequirement] = []
        for path in paths {
            guard case .object(let ref) = RepoPath(path), after.unreadable[path] == nil else {
                requirements += forFile(path)
                continue
            }
            let old = before.document(ref), new = after.document(ref)
            if old == nil && new == nil { continue }
            requirements += forObject(ref, old: old, new: new, after: after)
        }
        return requirements
    }

    /// Each settings level that differs, with the role that may change it; a level name that
    /// is not one, or settings that are not an object of levels, need admin.
    static func settingsLevels(changedFrom old: JSONValue?, to new: JSONValue?, path: String) -> [ClearanceRequirement] {
        guard old != new else { return [] }
        guard old == nil || old?.objectValue != nil, new == nil || new?.objectValue != nil else {
            return [ClearanceRequirement(path: path, field: "settings", role: .admin, reason: "settings that are not an object of levels are changed by admins only")]
        }
        let before = old?.objectValue ?? [:], after = new?.objectValue ?? [:]
        var requirements: [ClearanceRequirement] = []
        for key in Set(before.keys).union(after.keys).sorted() where before[key] != after[key] {
            let field = "settings." + key
            guard let level = SettingsLevel(rawValue: key) else {
                requirements.append(ClearanceRequirement(path: path, field: field, role: .admin, reason: "an unknown settings level is changed by admins only"))
                continue
            }
            guard level.writerRole > .user else { continue }
            let who = level.writerRole == .admin ? "admins only" : "support and admins"
            requirements.append(ClearanceRequirement(path: path, field: field, role: level.writerRole,
                                                     reason: "\(level.key)-level settings are changed by \(who)"))
        }
        return requirements
    }
}

extension Snapshot {
    /// The most secret level among the settings a module receives after the merge (only the
    /// winning value of each key reaches the driver); nil when the module does not exist.
    public func mostSecretLevel(receivedByModule id: String) -> SettingsLevel? {
        guard document(.module, id) != nil else { return nil }
        return SettingsMerge.winners(settingsLayers(forModule: id)).map(\.0.level).max() ?? SettingsLevel.none
    }
}
