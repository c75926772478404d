import Auth
import WebServer

/// The site's form tokens: every form carries one bound to the browser (its session) and to the
/// path it posts to (`CSRFTokens`, `BrowserBinding`), and every POST is refused without it.
struct FormTokens: Sendable {
    let csrf: CSRFTokens

    /// The token for a form posting to `purpose`, and the `Set-Cookie` value that gives the
    /// browser its binding when it had none (`serve --auth off`). Empty when the request can have
    /// no binding (a bearer token or API key): such a form cannot be posted.
    func issue(for request: Request, purpose: String) -> (token: String, setCookie: String?) {
        let binding = BrowserBinding.resolve(request)
        return (binding.value.map { csrf.token(binding: $0, purpose: purpose) } ?? "", binding.setCookie)
    }

    /// Tokens for several forms of one page, all bound to the same browser binding (a browser
    /// without one gets one new binding for all of them, and its one `Set-Cookie`).
    func issue(for request: Request, purposes: [String]) -> (tokens: [String: String], setCookie: String?) {
        let binding = BrowserBinding.resolve(request)
        var tokens: [String: String] = [:]
        for purpose in purposes { tokens[purpose] = binding.value.map { csrf.token(binding: $0, purpose: purpose) } ?? "" }
        return (tokens, binding.setCookie)
    }

    /// Refuses a POST whose token does not match this browser and the path it posts to.
    func check(_ request: Request, _ form: URLEncodedForm) throws(HTTPError) {
        try check(request, token: form["_csrf"])
    }

    /// The same for a file upload (`multipart/form-data`).
    func check(_ request: Request, _ form: MultipartForm) throws(HTTPError) {
        try check(request, token: form["_csrf"])
    }

    private func check(_ request: Request, token: String?) throws(HTTPError) {
        guard csrf.isValid(token, binding: BrowserBinding.value(in: request), purpose: request.path) else {
            throw HTTPError(.forbidden, "this form has expired or did not come from this site (missing or wrong form token); reload the page and try again")
        }
    }
}
