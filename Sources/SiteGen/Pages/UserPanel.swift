import ConfigRepo
import Foundation

/// The per-reader part of a user's page: the permissions (a form for admins, read-only for
/// support) and the systems the user viewed or controlled, newest first.
public struct UserPanel {
    /// One line of the user's access history.
    public struct Access: Sendable {
        public var time: Int
        public var systemID: String
        /// `view` or `control`.
        public var action: String

        public init(time: Int, systemID: String, action: String) {
            self.time = time
            self.systemID = systemID
            self.action = action
        }
    }

    public let snapshot: Snapshot

    public init(snapshot: Snapshot) { self.snapshot = snapshot }

    /// Where the permissions form posts.
    public static func permissionsURL(_ user: ObjectRef) -> String { SiteURL.detail(user) + "permissions" }

    /// The panel's values; `token` is empty when the reader may not change permissions.
    public func values(user: ConfigDocument, canEdit: Bool, token: String, accesses: [Access]) -> [String: TemplateValue] {
        let entries: [TemplateValue] = accesses.map { entry in
            let system = ObjectRef(.system, entry.systemID)
            return ["time": .string(ChangeValues.format(Date(timeIntervalSince1970: TimeInterval(entry.time)))),
                    "name": .string(snapshot.document(system).map { ObjectLabels.name($0, in: snapshot) } ?? entry.systemID),
                    "href": .string(SiteURL.detail(system)), "systemID": .string(entry.systemID), "action": .string(entry.action)]
        }
        let admin = user.bool("sys_admin") == true, support = user.bool("support") == true
        return [
            "canEdit": .bool(canEdit), "action": .string(Self.permissionsURL(user.ref)), "token": .string(token),
            "version": .optional(user.version?.hex), "admin": .bool(admin), "support": .bool(support),
            "role": .string(admin ? "administrator" : support ? "support" : "user"),
            "entries": .list(entries), "newKeyURL": .string(SiteURL.new(.apiKey) + "?user=" + FormEncoding.encode(user.id)),
        ]
    }
}
