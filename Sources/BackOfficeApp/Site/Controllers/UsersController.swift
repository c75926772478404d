import Auth
import ConfigRepo
import SiteGen
import WebServer

/// Users' permissions: the per-reader panel of a user's page (a form for admins, read-only for
/// support, with the systems the user viewed or controlled) and the permissions POST.
struct UsersController: Feature {
    let site: SiteService

    /// Entries of the access history shown.
    static let accessHistoryLimit = 100

    func mount(on router: inout Router) {
        router.post("/backoffice/users/:id/permissions", blocking: site.signedIn { [self] request in try savePermissions(request) })
    }

    /// The panel put into a user's pre-rendered page, and the form-token cookie when one was made.
    func panel(_ ref: ObjectRef, _ request: Request) throws -> (html: String, setCookie: String?) {
        let snapshot = try site.head()
        guard let user = snapshot.document(ref) else { return ("", nil) }
        let canEdit = request.principal.has(.admin)
        let (token, cookie) = canEdit ? site.tokens.issue(for: request, purpose: UserPanel.permissionsURL(ref)) : ("", nil)
        let accesses = site.accessLog.entries(userID: ref.id, limit: Self.accessHistoryLimit).map {
            UserPanel.Access(time: $0.time, systemID: $0.systemID, action: $0.action)
        }
        let values = UserPanel(snapshot: snapshot).values(user: user, canEdit: canEdit, token: token, accesses: accesses)
        return (String(decoding: try site.library.render("user-panel", .object(values)), as: UTF8.self), cookie)
    }

    /// `POST /backoffice/users/:id/permissions` (admins only): sets `sys_admin` and `support`
    /// from the checkboxes as one commit by the acting admin. A changed role signs the user out
    /// everywhere: sessions and tokens made for the old role end.
    func savePermissions(_ request: Request) throws -> Response {
        let ref = ObjectRef(.user, request.parameter("id") ?? "")
        let submission = try URLEncodedForm(request)
        try site.tokens.check(request, submission)
        guard request.principal.has(.admin) else { throw HTTPError(.forbidden, "only administrators change permissions") }
        let snapshot = try site.head()
        guard var user = snapshot.document(ref) else { throw HTTPError(.notFound, "\(ref) does not exist") }
        let admin = submission["admin"] == "on", support = submission["support"] == "on"
        if ref.id == request.principal.userID, !admin {
            return try site.message("Not saved", "You cannot take the administrator permission from yourself; ask another administrator.",
                                    status: .unprocessableContent, back: SiteURL.detail(ref))
        }
        let roleChanged = user.members["sys_admin"]?.boolValue ?? false != admin || user.members["support"]?.boolValue ?? false != support
        user.version = submission["_version"].flatMap(ObjectID.init(hex:))
        user.members["sys_admin"] = .bool(admin)
        user.members["support"] = .bool(support)
        let granted = [admin ? "admin" : nil, support ? "support" : nil].compactMap { $0 }
        let email = user.string("email") ?? ref.id
        let result: WriteResult
        do {
            result = try site.repository.apply([.save(user)], author: request.principal.signature,
                                               message: "Set permissions of \(email): " + (granted.isEmpty ? "user" : granted.joined(separator: ", ")))
        } catch {
            return try site.message(WriteRefusal(error, .save, subject: "this user"), back: SiteURL.detail(ref))
        }
        if roleChanged { site.signOutEverywhere.signOut(ref.id) }
        site.refresh()
        return .redirect(to: SiteURL.detail(ref) + "?saved=" + result.commit.id.hex)
    }
}
