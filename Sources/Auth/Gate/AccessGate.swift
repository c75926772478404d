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
    /// - Signed in by the session cookie, changing state or opening a WebSocket from a page of
    ///   another origin (`SameOrigin`): 403.
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
        if SameOrigin.applies(to: request, credential: request.principal.credential),
           let reason = SameOrigin.refusal(request, domainHosts: directory.current.domains.map(\.host)) {
            logRefusal(request, "cross-site request", reason)
            return Denials.crossSite(request)
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

    /// Routes naming a system (`…/systems/:id…`, `:sys_id`, `:sys`) and the site's system pages
    /// (`/backoffice/systems/<id>/`) go to the user's access history, and so does a module the
    /// engine routes control (`/api/engine/v2/modules/:id/…`) or the site operates (start, stop,
    /// run a function), under each system that has it.
    /// Reads are "view", anything else "control". Only systems of the configuration count: a
    /// made-up id would only fill the log.
    private func recordSystemAccess(_ request: Request, _ route: RouteKey) {
        guard request.principal.isAuthenticated else { return }
        let action = request.method == .get || request.method == .head ? "view" : "control"
        let snapshot = directory.current.snapshot
        var systems: [String] = []
        if let system = request.parameters["sys_id"] ?? request.parameters["sys"]
            ?? (route.pattern.contains("/systems/:id") ? request.parameters["id"] : nil) ?? Self.sitePageSystem(request, route) {
            systems = [system]
        } else if action == "control", route.pattern.hasPrefix("/api/engine/v2/modules/:id"), let module = request.parameters["id"] {
            systems = snapshot.systems(usingModule: module)
        } else if action == "control", let (kind, id) = Self.siteOperation(request, route) {
            systems = kind == "systems" ? [id] : snapshot.systems(usingModule: id)
        }
        for system in systems where system.hasPrefix("sys-") && snapshot.document(.system, system) != nil {
            accessLog.record(.init(time: clock(), userID: request.principal.userID, systemID: system, action: action))
        }
    }

    /// The site's operations on a module or a system (start, stop, run a function): its kind
    /// segment and id.
    static func siteOperation(_ request: Request, _ route: RouteKey) -> (kind: String, id: String)? {
        guard ["/backoffice/:kind/:id/start", "/backoffice/:kind/:id/stop", "/backoffice/:kind/:id/exec"].contains(route.pattern),
              let kind = request.parameters["kind"], kind == "systems" || kind == "modules", let id = request.parameters["id"] else { return nil }
        return (kind, id)
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

    static func crossSite(_ request: Request) -> Response {
        let accept = wantsJSON(request) ? nil : request.headers["accept"]
        return ErrorRenderer.response(for: HTTPError(.forbidden, "refused: this request came from a page of another site or port"),
                                      requestID: request.id, accept: accept)
    }

    static func forbidden(_ request: Request) -> Response {
        let accept = wantsJSON(request) ? nil : request.headers["accept"]
        return ErrorRenderer.response(for: HTTPError(.forbidden, "you do not have access to this"), requestID: request.id, accept: accept)
    }
}
