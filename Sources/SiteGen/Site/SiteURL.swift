import ConfigRepo

/// The site's URLs (kept exact: other tools rely on them).
public enum SiteURL {
    public static let root = "/backoffice/"
    public static let assets = "/backoffice/assets/"

    public static func list(_ kind: Kind) -> String { root + kind.directory + "/" }
    public static func listPage(_ kind: Kind, page: Int) -> String { page <= 1 ? list(kind) : list(kind) + "page/\(page)/" }
    public static func new(_ kind: Kind) -> String { list(kind) + "new" }
    public static func detail(_ ref: ObjectRef) -> String { list(ref.kind) + ref.id + "/" }
    public static func edit(_ ref: ObjectRef) -> String { detail(ref) + "edit" }
    public static func delete(_ ref: ObjectRef) -> String { detail(ref) + "delete" }
    public static func history(_ ref: ObjectRef) -> String { detail(ref) + "history" }
    public static func revert(_ ref: ObjectRef) -> String { detail(ref) + "revert" }
    public static func map(zone id: String) -> String { list(.zone) + id + "/map" }
    /// A level zone's map upload form (GET) and upload (POST, multipart).
    public static func mapUpload(zone id: String) -> String { map(zone: id) + "/upload" }
    /// A metadata entry's editor (`ref` of kind metadata: `<parent>/<name>`); its history and
    /// revert are `history(ref)` and `revert(ref)`.
    public static func metadataEdit(_ ref: ObjectRef) -> String { detail(ref) + "edit" }
    /// Where "Add metadata" asks for a new entry's name (`?name=`) on a zone, system or user.
    public static func metadataNew(parent: ObjectRef) -> String { list(.metadata) + parent.id + "/new" }
    /// The deployment file's page (`backoffice.json`), its form, history and revert.
    public static let deployment = root + "deployment/"
    public static let deploymentEdit = deployment + "edit"
    public static let deploymentHistory = deployment + "history"
    public static let deploymentRevert = deployment + "revert"
    /// A module's effective settings: the merge of every layer, as the reader may see it.
    public static func effectiveSettings(module id: String) -> String { detail(ObjectRef(.module, id)) + "settings" }
    /// A system's page for adding, removing and ordering its modules or zones (GET; POST one change).
    /// Where a system's trigger switches and "fire now" post (`TriggerInstancesController`).
    public static func triggers(system id: String) -> String { detail(ObjectRef(.system, id)) + "triggers" }
    public static func members(system id: String, _ list: SystemMembership.List) -> String {
        detail(ObjectRef(.system, id)) + list.rawValue
    }
}
