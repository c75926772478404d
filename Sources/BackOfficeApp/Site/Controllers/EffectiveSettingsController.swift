import Auth
import ConfigRepo
import SiteGen
import WebServer

/// `GET /backoffice/modules/ID/settings`: the merge of every layer a module gets, as the
/// reader's role may see it (viewers of modules only, by the access policy).
struct EffectiveSettingsController: Feature {
    let site: SiteService

    func mount(on router: inout Router) {
        router.get("/backoffice/:kind/:id/settings", blocking: site.signedIn { [self] request in try page(request) })
    }

    func page(_ request: Request) throws -> Response {
        guard try site.kind(request) == .module else { throw HTTPError(.notFound, "only modules have effective settings") }
        let moduleID = request.parameter("id") ?? ""
        let snapshot = try site.head()
        guard let module = snapshot.document(.module, moduleID) else { throw HTTPError(.notFound, "module \(moduleID) does not exist") }
        let values = EffectiveSettingsPage(snapshot: snapshot).values(module: module, box: site.repository.secretBox, role: request.principal.role)
        return site.html(try site.renderer(snapshot).page("effective-settings", title: "Effective settings of " + ObjectLabels.name(module, in: snapshot),
                                                          kind: .module, values))
    }
}
