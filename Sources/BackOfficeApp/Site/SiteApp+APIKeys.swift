#if canImport(Glibc)
import Glibc
#endif
import ConfigRepo
import SiteGen
import WebServer
import Auth

/// New API keys from the site: the same `APIKeyIssuer` as `backoffice api-key create`. The key
/// `<id>.<secret>` is in the answer to the POST only (`no-store`); it is never stored and no
/// page shows it again.
extension SiteApp {
    func apiKeyForm(_ request: Request, inputs: [String: String], error: String?, status: HTTPStatus = .ok) throws -> Response {
        guard request.principal.mayEdit(.apiKey) else { throw HTTPError(.forbidden, "only administrators create API keys") }
        let snapshot = try head()
        let action = SiteURL.new(.apiKey)
        let (token, cookie) = token(for: request, purpose: action)
        // `?user=` carries a user id (from the user's page); the form asks for the email.
        var user = inputs["user"] ?? ""
        if let document = snapshot.document(.user, user), let email = document.string("email") { user = email }
        let permissions = inputs["permissions"] ?? ""
        let choices: [(String, String)] = [("", "the owner's"), ("0", "user"), ("1", "support"), ("2", "admin")]
        let values: [String: TemplateValue] = [
            "action": .string(action), "token": .string(token), "error": .optional(error), "user": .string(user),
            "name": .string(inputs["name"] ?? ""), "scopes": .string(inputs["scopes"] ?? "public"),
            "expires": .string(inputs["expires"] ?? ""), "listURL": .string(SiteURL.list(.apiKey)),
            "permissionOptions": .list(choices.map { ["value": .string($0.0), "text": .string($0.1), "selected": .bool($0.0 == permissions)] }),
            "users": .list(snapshot.unordered(.user).compactMap { $0.string("email") }.sorted().prefix(300).map { .string($0) }),
        ]
        return html(try renderer(snapshot).page("api-key-new", title: "New API key", kind: .apiKey, values), status: status, setCookie: cookie)
    }

    func createAPIKey(_ request: Request, _ submission: URLEncodedForm) throws -> Response {
        let inputs = submission.inputs
        let scopes = (inputs["scopes"] ?? "").split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\n" || $0 == "\r" }).map(String.init)
        var days: Int?
        if let text = inputs["expires"], !text.isEmpty {
            guard let value = Int(text) else {
                return try apiKeyForm(request, inputs: inputs, error: "Expires: enter a number of days (1 to 3650) or leave it empty.",
                                      status: .unprocessableContent)
            }
            days = value
        }
        let permissions = inputs["permissions"].flatMap { $0.isEmpty ? nil : Int($0) }
        let issued: (record: APIKeyRecord, key: String)
        do {
            issued = try APIKeyIssuer(repository: repository).create(
                userEmail: inputs["user"] ?? "", name: inputs["name"] ?? "", scopes: scopes, expiresInDays: days,
                permissions: permissions, now: Int(time(nil)), author: request.principal.signature)
        } catch .invalid(let message) {
            return try apiKeyForm(request, inputs: inputs, error: "Not created: " + message + ".", status: .unprocessableContent)
        } catch {
            throw HTTPError(.internalServerError, "\(error)")
        }
        refresh()
        let ref = ObjectRef(.apiKey, issued.record.id)
        let values: [String: TemplateValue] = [
            "key": .string(issued.key), "id": .string(issued.record.id), "name": .string(issued.record.name),
            "user": .string(inputs["user"] ?? ""), "scopes": .list(issued.record.scopes.map { .string($0) }),
            "detailURL": .string(SiteURL.detail(ref)), "listURL": .string(SiteURL.list(.apiKey)),
        ]
        var response = html(try renderer(try head()).page("api-key-created", title: "API key created", kind: .apiKey, values))
        response.headers.set("Referrer-Policy", "no-referrer")
        return response
    }
}
