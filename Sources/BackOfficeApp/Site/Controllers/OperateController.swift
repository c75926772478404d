import Auth
import ConfigRepo
import Runtime
import SiteGen
import WebServer

/// Operating modules from the site: the Operate panel of a module's page (`panel`, put into
/// the pre-rendered page per request) and Start all / Stop all on a system's "Modules of" page, `POST …/start` and `…/stop` (support:
/// one commit of `running`, then 303 back), and `POST /backoffice/modules/ID/exec` with
/// `function` and `arg.NAME` fields, which runs the function within the caller's clearance
/// (the engine's per-function security) and answers a page with the result and the status
/// keys it changed. Everything works as plain form posts; no script needed.
struct OperateController: Feature {
    let site: SiteService

    func mount(on router: inout Router) {
        for running in [true, false] {
            router.post("/backoffice/:kind/:id/" + (running ? "start" : "stop"), blocking: site.signedIn { [self] request in
                try setRunning(request, running)
            })
        }
        router.post("/backoffice/:kind/:id/exec", { [self] request in
            guard request.principal.isAuthenticated else { throw HTTPError(.unauthorized, "sign in required") }
            return try await exec(request)
        })
    }

    // MARK: - The panel

    /// The Operate panel for a module's page or a system's "Modules of" page, and the
    /// `Set-Cookie` its form tokens need; `tokens` when the page made them already (one browser
    /// binding per page). Empty without a runtime (`backoffice site`, tests of the pages alone).
    func panel(_ ref: ObjectRef, _ request: Request, submitted: [String: String] = [:],
               tokens: [String: String]? = nil) throws -> (html: String, setCookie: String?) {
        guard let engine = site.runtime,
              let value = try values(ref, request, engine: engine, submitted: submitted, tokens: tokens) else { return ("", nil) }
        return (String(decoding: try site.library.render("operate-panel", value.value), as: UTF8.self), value.setCookie)
    }

    private func values(_ ref: ObjectRef, _ request: Request, engine: RuntimeEngine, submitted: [String: String],
                        tokens given: [String: String]?) throws -> (value: TemplateValue, setCookie: String?)? {
        let snapshot = try site.head()
        guard let document = snapshot.document(ref) else { return nil }
        let principal = request.principal
        let running: Bool
        var functions: [OperatePanel.Function]?
        switch ref.kind {
        case .module:
            running = ModuleView(document).running
            functions = engine.metadata(ofModule: ref.id).map { metadata in
                metadata.functions.values.sorted { $0.name < $1.name }.map { spec in
                    let arguments = spec.arguments.map { FunctionCallForm.Argument(name: $0.name, schema: $0.schema, optional: $0.hasDefault) }
                    let restricted: String? = switch spec.requiredRole {
                    case .user: nil
                    case .support: "support"
                    case .admin: "administrator"
                    }
                    return OperatePanel.Function(form: FunctionCallForm(function: spec.name, arguments: arguments), restrictedTo: restricted,
                                                 mayRun: Self.mayExec(principal) && principal.role >= spec.requiredRole)
                }
            }
        case .system:
            running = SystemView(document).moduleIDs.contains { snapshot.document(.module, $0).map { ModuleView($0).running } ?? false }
        default:
            return nil
        }
        let (tokens, setCookie) = given.map { ($0, String?.none) } ?? site.tokens.issue(for: request, purposes: OperatePanel.paths(ref))
        let panel = OperatePanel(ref: ref, running: running, mayStartStop: Self.mayStartStop(principal), functions: functions, tokens: tokens)
        return (panel.values(submitted: submitted), setCookie)
    }

    /// Starting and stopping commits `running`: support's, as over REST.
    static func mayStartStop(_ principal: Principal) -> Bool { principal.has(.support) }

    /// Calling a module's functions by its id: support's, as over REST (`modules.write`); the
    /// function's own security is checked by the engine.
    static func mayExec(_ principal: Principal) -> Bool { principal.has(.support) }

    // MARK: - Start and stop

    func setRunning(_ request: Request, _ running: Bool) throws -> Response {
        let kind = try site.kind(request)
        guard kind == .module || kind == .system else { throw HTTPError(.notFound, "only modules and systems start and stop") }
        let ref = ObjectRef(kind, request.parameter("id") ?? "")
        let submission = try URLEncodedForm(request)
        try site.tokens.check(request, submission)
        guard Self.mayStartStop(request.principal) else {
            throw HTTPError(.forbidden, "you do not have access to this: starting and stopping needs the support role")
        }
        guard let engine = site.runtime else { throw HTTPError(.serviceUnavailable, "the runtime is not running") }
        let back = kind == .system ? SiteURL.members(system: ref.id, .modules) : SiteURL.detail(ref)
        let modules: [String]
        if kind == .module {
            modules = [ref.id]
        } else {
            guard let system = try site.head().document(ref) else {
                return try site.message("Not saved", "system \(ref.id) does not exist.", status: .notFound, back: SiteURL.list(.system))
            }
            modules = SystemView(system).moduleIDs
        }
        let commit: CommitInfo
        do {
            commit = try engine.setRunning(modules, running, author: request.principal.signature, system: kind == .system ? ref.id : nil)
        } catch let error as WriteError {
            return try site.message(WriteRefusal(error, .save, subject: kind == .module ? "this module" : "this system"), back: back)
        } catch let error as RuntimeError {
            return try site.message("Not saved", error.message, status: HTTPStatus(error.httpStatus), back: back)
        }
        site.refreshSoon()
        let target = back + "?saved=" + commit.id.hex
        return .redirect(to: target)
    }

    // MARK: - Running a function

    func exec(_ request: Request) async throws -> Response {
        guard try site.kind(request) == .module else { throw HTTPError(.notFound, "functions are run on a module") }
        let ref = ObjectRef(.module, request.parameter("id") ?? "")
        let submission = try URLEncodedForm(request)
        try site.tokens.check(request, submission)
        guard Self.mayExec(request.principal) else {
            throw HTTPError(.forbidden, "you do not have access to this: running a module's functions by its id needs the support role")
        }
        guard let engine = site.runtime else { throw HTTPError(.serviceUnavailable, "the runtime is not running") }
        let snapshot = try site.head()
        guard let module = snapshot.document(ref) else { throw HTTPError(.notFound, "module \(ref.id) does not exist") }
        let function = submission["function"] ?? ""
        var fields: [String: String] = ["function": function]
        for (name, value) in submission.values where name.hasPrefix("arg.") { fields[name] = value }
        var result: JSONValue?, problem: String?
        let before = engine.status.values(module: ref.id)
        if let spec = engine.functions(ofModule: ref.id)?[function] {
            let form = FunctionCallForm(function: function, arguments: spec.arguments.map {
                FunctionCallForm.Argument(name: $0.name, schema: $0.schema, optional: $0.hasDefault)
            })
            switch form.arguments(from: fields) {
            case .failure(let error): problem = "Not run: argument \(error.description)."
            case .success(let args):
                switch await engine.exec(module: ref.id, method: function, args: args, role: request.principal.role,
                                         userID: request.principal.userID) {
                case .success(let value): result = value
                case .failure(let error): problem = error.message
                }
            }
        } else {
            problem = (engine.hasModule(ref.id) && engine.metadata(ofModule: ref.id) == nil
                               ? "Not run: the module's driver is not running (\(engine.condition(of: ref.id).text))."
                               : "Not run: the module has no function “\(function)”.")
        }
        let after = engine.status.values(module: ref.id)
        let changes = Set(before.keys).union(after.keys).sorted().filter { before[$0] != after[$0] }.map { key -> TemplateValue in
            ["key": .string(key), "before": .optional(before[key].map(JSONWriter.compactString)),
             "after": .optional(after[key].map(JSONWriter.compactString))]
        }
        let (panel, cookie) = try panel(ref, request, submitted: fields)
        var values: [String: TemplateValue] = [
            "function": .string(function), "moduleURL": .string(SiteURL.detail(ref)), "moduleName": .string(ObjectLabels.name(module, in: snapshot)),
            "changes": .list(changes), "panel": .html(TrustedHTML(trusted: panel)), "condition": .string(engine.condition(of: ref.id).text),
            "dot": .string(engine.condition(of: ref.id).state.rawValue), "id": .string(ref.id),
        ]
        values["error"] = .optional(problem)
        values["result"] = .optional(result.map(JSONWriter.canonicalString))
        let title = "\(function) on \(ObjectLabels.name(module, in: snapshot))"
        let page = try site.renderer(snapshot).page("module-exec", title: title, kind: .module, values)
        return site.html(page, status: problem == nil ? .ok : .unprocessableContent, setCookie: cookie)
    }
}
