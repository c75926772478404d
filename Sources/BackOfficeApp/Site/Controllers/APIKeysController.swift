#if canImport(Glibc)
import Glibc
#endif
import Auth
import ConfigRepo
import SiteGen
import WebServer

/// New API keys from the site: the same `APIKeyIssuer` as `backoffice api-key create`. The key
/// `<id>.<secret>` is in the answer to the POST only (`no-store`); it is never stored and no
/// page shows it again.
struct APIKeysController: Feature {
    let site: SiteService

    func mount(on router: inout Router) {
        router.get("/backoffice/api-keys/new", blocking: site.signedIn { [self] request in
            try form(request, inputs: ["user": request.query("user") ?? ""], error: nil)
        })
        router.post("/backoffice/api-keys/new", blocking: site.signedIn { [self] request in try create(request) })
    }

    func form(_ request: Request, inputs: [String: String], error: String?, status: HTTPStatus = .ok) throws -> Response {
        guard request.principal.mayEdit(.apiKey) else { throw HTTPError(.forbidden, "only administrators create API keys") }
        let snapshot = try site.head()
        let (token, cookie) = site.tokens.issue(for: request, purpose: SiteURL.new(.apiKey))
        let values = APIKeyPages(snapshot: snapshot).form(inputs: inputs, token: token, error: error)
        return site.html(try site.renderer(snapshot).page("api-key-new", title: "New API key", kind: .apiKey, values), status: status,
                         setCookie: cookie)
    }

    func create(_ request: Request) throws -> Response {
        let submission = try URLEncodedForm(request)
        try site.tokens.check(request, submission)
        let inputs = submission.inputs
        let scopes = (inputs["scopes"] ?? "").split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\n" || $0 == "\r" }).map(String.init)
        var days: Int?
        if let text = inputs["expires"], !text.isEmpty {
            guard let value = Int(text) else {
                return try form(request, inputs: inputs, error: "Expires: enter a number of days (1 to 3650) or leave it empty.",
                                status: .unprocessableContent)
            }
            days = value
        }
        let permissions = inputs["permissions"].flatMap { $0.isEmpty ? nil : Int($0) }
        let issued: (record: APIKeyRecord, key: String)
        do {
            issued = try APIKeyIssuer(repository: site.repository).create(
                userEmail: inputs["user"] ?? "", name: inputs["name"] ?? "", scopes: scopes, expiresInDays: days,
                permissions: permissions, now: Int(time(nil)), author: request.principal.signature)
        } catch .invalid(let message) {
            return try form(request, inputs: inputs, error: "Not created: " + message + ".", status: .unprocessableContent)
        } catch {
            throw HTTPError(.internalServerError, "\(error)")
        }
        site.refresh()
        let values = APIKeyPages.created(key: issued.key, id: issued.record.id, name: issued.record.name, userEmail: inputs["user"] ?? "",
                                         scopes: issued.record.scopes)
        var response = site.html(try site.renderer(try site.head()).page("api-key-created", title: "API key created", kind: .apiKey, values))
        response.headers.set("Referrer-Policy", "no-referrer")
        return response
    }
}
