import Auth
import SiteGen
import WebServer

/// `GET /backoffice/metrics`: the Metrics page for support and admins (`MetricsPage`), rendered
/// per request from the runtime's live state; never cached.
struct MetricsPageController: Feature {
    let site: SiteService
    let panels: TouchPanels
    let history: MetricsHistory

    func mount(on router: inout Router) {
        router.get("/backoffice/metrics", blocking: site.signedIn { [self] request in try page(request) })
    }

    func page(_ request: Request) throws -> Response {
        guard request.principal.has(.support) else { throw HTTPError(.forbidden, "you do not have access to this") }
        guard let engine = site.runtime else { throw HTTPError(.serviceUnavailable, "the runtime is not running") }
        let snapshot = try site.head()
        let values = MetricsPage(snapshot: snapshot, engine: engine, panels: panels.connected(), history: history.samples).values()
        return site.html(try site.renderer(snapshot).page("metrics", title: "Metrics", kind: nil, values))
    }
}
