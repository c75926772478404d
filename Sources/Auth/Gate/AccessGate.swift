import ConfigRepo
import SiteGen
import WebServer

extension AuthService {
    /// The router's gate: sets `request.principal` or answers instead of the handler.
    ///
    /// - No rule for the route: 403 (and an error in the log) — routes are closed by default.
    /// - Public route: the principal is whoever the credentials say, else anonymous.
    /// - Not signed in (or a refused credential): 401 for `/api/…` and JSON clients, a redirect to
    ///   `/auth/signin?continue=…` for pages.
    /// - Signed in without the role or scope: 403, HTML or JSON by `Accept`.
    public func gate(_ request: inout Request, _ route: RouteKey) -> Response? {
        guard let rule = policy.rule(for: route) else {
            logger.log(.error, "auth: no access rule for \(route); refusing \(request.method) \(request.path)")
            return Denials.forbidden(request)
        }
        let outcome = authenticate(request)
        switch outcome {
        case .authenticated(let principal): request.principal = principal
        case .anonymous, .refused: request.principal = .anonymous
        }
        switch rule.decide(for: request.principal, parameters: request.parameters, segments: request.pathSegments) {
        case .allow:
            recordSystemAccess(request, route)
            return nil
        case .signInRequired:
            if case .refused(let reason) = outcome {
                logRefusal(request, "credential", reason)
                return Denials.signInRequired(request, invalidCredential: true)
            }
            return Denials.signInRequired(request, invalidCredential: false)
        case .forbidden:
            logRefusal(request, "access", "\(request.principal.userID) (\(request.principal.role), scopes \(request.principal.scopes?.joined(separator: " ") ?? "any")) lacks \(rule)")
            return Denials.forbidden(request)
        }
    }

    /// Routes naming a system (`…/systems/:id…`, `:sys_id`) and the site's system pages
    /// (`/backoffice/systems/<id>/`) go to the user's access history.
    private func recordSystemAccess(_ request: Request, _ route: RouteKey) {
        guard request.principal.isAuthenticated,
              let system = request.parameters["sys_id"] ?? (route.pattern.contains("/systems/:id") ? request.parameters["id"] : nil)
                ?? Self.sitePageSystem(request, route),
              system.hasPrefix("sys-") else { return }
        let action = request.method == .get || request.method == .head ? "view" : "control"
        accessLog.record(.init(time: clock(), userID: request.principal.userID, systemID: system, action: action))
    }

    /// The system a site page shows: `/backoffice/systems/<id>/` (not its forms or history).
    static func sitePageSystem(_ request: Request, _ route: RouteKey) -> String? {
        let segments = request.pathSegments
        guard route.pattern == "/backoffice/*", request.query("q") == nil, segments.count == 3,
              segments[0] == "backoffice", segments[1] == "systems" else { return nil }
        return segments[2]
    }
}

/// The answers of a refused request. Messages say what to do, never why a credential failed.
enum Denials {
    static func wantsJSON(_ request: Request) -> Bool {
        if request.path.hasPrefix("/api/") || request.path.hasPrefix("/auth/oauth/") { return true }
        if request.headers["authorization"] != nil || request.headers["x-api-key"] != nil { return true }
        guard let accept = request.headers["accept"], accept.contains("application/json") else { return false }
        return !ErrorRenderer.prefersHTML(accept)
    }

    static func signInRequired(_ request: Request, invalidCredential: Bool) -> Response {
        if wantsJSON(request) || (request.method != .get && request.method != .head) {
            let message = invalidCredential ? "invalid or expired credentials" : "sign in required"
            let challenge = invalidCredential ? "Bearer error=\"invalid_token\"" : "Bearer"
            return ErrorRenderer.response(for: HTTPError(.unauthorized, message, headers: ["WWW-Authenticate": challenge]),
                                          requestID: request.id, accept: request.path.hasPrefix("/api/") ? nil : request.headers["accept"])
        }
        var response = Response.redirect(to: "/auth/signin?continue=" + FormEncoding.encode(request.target), status: .seeOther)
        response.headers.set("Cache-Control", "no-store")
        return response
    }

    static func forbidden(_ request: Request) -> Response {
        let accept = wantsJSON(request) ? nil : request.headers["accept"]
        return ErrorRenderer.response(for: HTTPError(.forbidden, "you do not have access to this"), requestID: request.id, accept: accept)
    }
}
