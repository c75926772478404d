import Auth
import ConfigRepo
import Foundation
import Runtime
import SiteGen
import WebServer

/// Trigger instances in the site: the live panel on a system's Triggers tab and on a trigger's
/// page (`panel`, put into the pre-rendered page per request), and the switches behind it,
/// `POST /backoffice/systems/ID/triggers` with `instance` and `action` = `enable`, `disable`,
/// `exec_on`, `exec_off` (editors of systems; one commit each, then 303 back) or `fire`
/// (administrators: runs the actions now and shows how each went).
struct TriggerInstancesController: Feature {
    let site: SiteService

    func mount(on router: inout Router) {
        router.post("/backoffice/:kind/:id/triggers", { [self] request in
            guard request.principal.isAuthenticated else { throw HTTPError(.unauthorized, "sign in required") }
            return try await change(request)
        })
    }

    // MARK: - The panel

    /// The panel for a system's or a trigger's page, and the `Set-Cookie` its form tokens need.
    /// Empty without a runtime (`backoffice site`, tests of the pages alone).
    func panel(_ ref: ObjectRef, _ request: Request) throws -> (html: String, setCookie: String?) {
        guard let engine = site.runtime else { return ("", nil) }
        let principal = request.principal
        let states = ref.kind == .system ? engine.triggers.instances(of: ref.id) : engine.triggers.instances(ofTrigger: ref.id)
        let snapshot = try site.head()
        // A system's page is pre-rendered and the same for every reader (it keeps its validator):
        // its panel shows the live state only. Switches, "fire now" and webhook URLs are on the
        // trigger's page, which is rendered per reader.
        let shared = ref.kind == .system
        let rows = states.map { row($0, snapshot: snapshot, engine: engine, request: request, showSecrets: !shared) }
        var setCookie: String?
        let permissions = shared ? TriggerInstancesPanel.Permissions(canSwitch: false, canFire: false)
            : TriggerInstancesPanel.Permissions(canSwitch: principal.mayEdit(.system), canFire: principal.has(.admin))
        var signingSecret: String?
        if ref.kind == .trigger, principal.has(.admin), snapshot.document(ref)?["actions"]?["webhooks"]?.arrayValue?.isEmpty == false {
            signingSecret = engine.triggers.webhookSigningSecret(ofTrigger: ref.id)
        }
        let value = TriggerInstancesPanel.values(rows: rows, bySystem: ref.kind == .system, permissions: permissions,
                                                 back: ref.kind == .system ? "system" : "trigger", signingSecret: signingSecret) { system in
            let (token, cookie) = site.tokens.issue(for: request, purpose: SiteURL.triggers(system: system))
            if let cookie { setCookie = cookie }
            return token
        }
        return (String(decoding: try site.library.render("trigger-instances", value), as: UTF8.self), setCookie)
    }

    private func row(_ state: TriggerInstanceState, snapshot: Snapshot, engine: RuntimeEngine, request: Request,
                     showSecrets: Bool) -> TriggerInstancesPanel.Row {
        let config = snapshot.triggerInstances(ofSystem: state.systemID).first { $0.id == state.instanceID }
        let origin: String
        switch config?.origin {
        case .systemEntry: origin = config?.zoneID.map { "zone \(ObjectLabels.name(ObjectRef(.zone, $0), in: snapshot)), switched here" } ?? "this system"
        case .zone(let zone): origin = "zone " + ObjectLabels.name(ObjectRef(.zone, zone), in: snapshot)
        case .dedicated: origin = "dedicated to this system"
        case nil: origin = ""
        }
        var webhookURL: String?
        if showSecrets, request.principal.has(.admin), snapshot.document(.trigger, state.triggerID)?.bool("enable_webhook") == true,
           let secret = engine.triggers.webhookSecret(of: state.instanceID) {
            webhookURL = Self.origin(of: request) + "/api/engine/v2/webhook/\(state.instanceID)/notify/" + secret
        }
        return TriggerInstancesPanel.Row(
            instanceID: state.instanceID, triggerID: state.triggerID, triggerName: state.triggerName, systemID: state.systemID,
            systemName: state.systemName, enabled: state.enabled, execEnabled: state.execEnabled, triggered: state.triggered,
            triggerCount: state.triggerCount, actionErrors: state.actionErrors, comparisonErrors: state.comparisonErrors,
            conditions: state.conditions.keys.sorted().map { ($0, state.conditions[$0]!) },
            lastFired: state.json["last_fired"]?.stringValue, lastError: state.lastError, problems: state.problems,
            origin: origin, webhookURL: webhookURL)
    }

    /// `http://host:port` as the browser reached us (the URL an admin copies for the caller).
    static func origin(of request: Request) -> String {
        let host = request.headers["host"] ?? "127.0.0.1"
        let scheme = request.headers["x-forwarded-proto"] == "https" ? "https" : "http"
        return scheme + "://" + host
    }

    // MARK: - Switches and "fire now"

    func change(_ request: Request) async throws -> Response {
        guard try site.kind(request) == .system else { throw HTTPError(.notFound, "only systems have trigger switches") }
        let systemID = request.parameter("id") ?? ""
        let submission = try URLEncodedForm(request)
        try site.tokens.check(request, submission)
        guard let engine = site.runtime else { throw HTTPError(.serviceUnavailable, "the runtime is not running") }
        let instance = submission["instance"] ?? ""
        guard let state = engine.triggers.state(of: instance), state.systemID == systemID else {
            return try site.message("Not saved", "system \(systemID) has no trigger instance \(instance); nothing was changed.",
                                    status: .notFound, back: SiteURL.detail(ObjectRef(.system, systemID)) + "#triggers")
        }
        let back = submission["back"] == "trigger" ? SiteURL.detail(ObjectRef(.trigger, state.triggerID))
                                                   : SiteURL.detail(ObjectRef(.system, systemID)) + "#triggers"
        let action = submission["action"] ?? ""
        if action == "fire" {
            guard request.principal.has(.admin) else { throw HTTPError(.forbidden, "you do not have access to this: firing a trigger needs an administrator") }
            let outcomes = await engine.triggers.fire(instance: instance) ?? []
            return try fired(state, outcomes, back: back)
        }
        guard request.principal.mayEdit(.system) else { throw HTTPError(.forbidden, "you do not have access to this") }
        let switches: [String: (enabled: Bool?, exec: Bool?)] = [
            "enable": (true, nil), "disable": (false, nil), "exec_on": (nil, true), "exec_off": (nil, false),
        ]
        guard let change = switches[action] else {
            return try site.message("Not saved", "Choose an action: enable, disable, exec_on, exec_off or fire.",
                                    status: .unprocessableContent, back: back)
        }
        let author = request.principal.signature
        let commit: CommitInfo?
        do {
            commit = try await BlockingWorkers.shared.run {
                try engine.triggers.setEnabled(instance: instance, enabled: change.enabled, execEnabled: change.exec, author: author)
            }
        } catch let error as WriteError {
            return try site.message(WriteRefusal(error, .save, subject: "this system"), back: back)
        } catch let error as RuntimeError {
            return try site.message("Not saved", error.message, status: HTTPStatus(error.httpStatus), back: back)
        }
        site.refreshSoon()
        guard let commit else { return .redirect(to: back) }
        let separator = back.contains("#") ? back.replacingOccurrences(of: "#", with: "?saved=\(commit.id.hex)#") : back + "?saved=" + commit.id.hex
        return .redirect(to: separator)
    }

    /// The page after "fire now": each action and how it went.
    private func fired(_ state: TriggerInstanceState, _ outcomes: [TriggerActionOutcome], back: String) throws -> Response {
        let failed = outcomes.filter { $0.error != nil }.count
        let summary = outcomes.isEmpty ? "Fired; the trigger has no actions."
            : failed == 0 ? "Fired: every action ran." : "Fired: \(failed) of \(outcomes.count) actions failed."
        let values: [String: TemplateValue] = [
            "summary": .string(summary), "backURL": .string(back),
            "outcomes": .list(outcomes.map { ["action": .string($0.action), "error": .optional($0.error)] }),
        ]
        let title = "“\(state.triggerName)” fired in \(state.systemName)"
        return site.html(try site.renderer(try site.head()).page("trigger-fired", title: title, kind: .trigger, values),
                         status: .ok)
    }
}
