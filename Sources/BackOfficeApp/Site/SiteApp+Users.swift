import Auth
import ConfigRepo
import Foundation
import SiteGen
import WebServer

/// The per-request part of a user's page: permissions (a form for admins, read-only for
/// support) and the systems the user viewed or controlled, newest first; and the permissions POST.
extension SiteApp {
    static let accessHistoryLimit = 100

    func userPanel(_ ref: ObjectRef, _ request: Request) throws -> (html: String, setCookie: String?) {
        let snapshot = try head()
        guard let user = snapshot.document(ref) else { return ("", nil) }
        let action = SiteURL.detail(ref) + "permissions"
        let canEdit = request.principal.has(.admin)
        let (token, cookie) = canEdit ? token(for: request, purpose: action) : ("", nil)
        let entries: [TemplateValue] = accessLog.entries(userID: ref.id, limit: Self.accessHistoryLimit).map { entry in
            let system = ObjectRef(.system, entry.systemID)
            return ["time": .string(HistoryValues.format(Date(timeIntervalSince1970: TimeInterval(entry.time)))),
                    "name": .string(snapshot.document(system).map { ObjectLabels.name($0, in: snapshot) } ?? entry.systemID),
                    "href": .string(SiteURL.detail(system)), "systemID": .string(entry.systemID), "action": .string(entry.action)]
        }
        let admin = user.bool("sys_admin") == true, support = user.bool("support") == true
        let values: [String: TemplateValue] = [
            "canEdit": .bool(canEdit), "action": .string(action), "token": .string(token), "version": .optional(user.version?.hex),
            "admin": .bool(admin), "support": .bool(support),
            "role": .string(admin ? "administrator" : support ? "support" : "user"),
            "entries": .list(entries), "newKeyURL": .string(SiteURL.new(.apiKey) + "?user=" + FormEncoding.encode(ref.id)),
        ]
        return (String(decoding: try library.render("user-panel", .object(values)), as: UTF8.self), cookie)
    }

    /// `POST /backoffice/users/:id/permissions` (admins only, by the access policy): sets
    /// `sys_admin` and `support` from the checkboxes as one commit by the acting admin.
    func savePermissions(_ request: Request) async throws -> Response {
        let ref = ObjectRef(.user, request.parameter("id") ?? "")
        let submission = try URLEncodedForm(request)
        try checkToken(request, submission)
        guard request.principal.has(.admin) else { throw HTTPError(.forbidden, "only administrators change permissions") }
        let snapshot = try head()
        guard var user = snapshot.document(ref) else { throw HTTPError(.notFound, "\(ref) does not exist") }
        let admin = submission["admin"] == "on", support = submission["support"] == "on"
        if ref.id == request.principal.userID, !admin {
            return try message("Not saved", "You cannot take the administrator permission from yourself; ask another administrator.",
                               status: .unprocessableContent, back: SiteURL.detail(ref))
        }
        user.version = submission["_version"].flatMap(ObjectID.init(hex:))
        user.members["sys_admin"] = .bool(admin)
        user.members["support"] = .bool(support)
        let granted = [admin ? "admin" : nil, support ? "support" : nil].compactMap { $0 }
        let email = user.string("email") ?? ref.id
        let result: WriteResult
        do {
            result = try repository.apply([.save(user)], author: request.principal.signature,
                                          message: "Set permissions of \(email): " + (granted.isEmpty ? "user" : granted.joined(separator: ", ")))
        } catch .conflict {
            return try message("Not saved", "Someone changed this user since you opened the page; reload it and try again.",
                               status: .conflict, back: SiteURL.detail(ref))
        } catch .invalid(let problems) {
            return try message("Not saved", problems.map(\.description).joined(separator: "; "), status: .unprocessableContent,
                               back: SiteURL.detail(ref))
        } catch {
            throw HTTPError(.internalServerError, "the configuration store failed: \(error)")
        }
        refresh()
        return .redirect(to: SiteURL.detail(ref) + "?saved=" + result.commit.id.hex)
    }
}
