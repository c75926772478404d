import Auth
import ConfigRepo
import SiteGen
import WebServer

/// `GET /backoffice/account`: who is signed in — name, email, role, domain, groups — and their
/// own metadata with its editor, history and "new entry" form. It is the one page of the site
/// about a person that a plain user may open (users' pages are support's); the name beside the
/// Sign out button links here. Editing the entries goes through `MetadataController`, whose
/// rules let a user write their own metadata.
struct AccountController: Feature {
    let site: SiteService

    static let path = "/backoffice/account"

    func mount(on router: inout Router) {
        router.get(Self.path, blocking: site.signedIn { [self] request in try page(request) })
    }

    func page(_ request: Request) throws -> Response {
        let snapshot = try site.head()
        let principal = request.principal
        guard principal.isAuthenticated, let user = snapshot.document(.user, principal.userID) else {
            return try site.message("Your account", "Nobody is signed in as a user of this configuration (sign-in is off, or the credential is an application's).",
                                    status: .ok, level: "info")
        }
        let domain = user.string("authority_id").flatMap { snapshot.document(.domain, $0) }
        let values: [String: TemplateValue] = [
            "name": .string(user.string("name") ?? principal.name),
            "email": .string(user.string("email") ?? principal.email),
            "role": .string(principal.has(.admin) ? "administrator" : principal.has(.support) ? "support" : "user"),
            "domain": .optional(domain.map { $0.displayName }),
            "groups": .list(user.strings("groups").map(TemplateValue.string)),
            "metadata": DetailPage.metadataList(of: user.ref, in: snapshot),
            "metadataNewURL": .string(SiteURL.metadataNew(parent: user.ref)),
            "userURL": .optional(principal.mayView(.user) ? SiteURL.detail(user.ref) : nil),
        ]
        return site.html(try site.renderer(snapshot).page("account", title: "Your account", kind: nil, values))
    }
}
