import ConfigRepo
import Crypto
import Foundation

/// What the web layer (REST `systems/:id/triggers`, webhooks, the site's trigger pages, the
/// WebSocket `_TRIGGER_` binding) asks of the trigger engine. Role checks are the caller's:
/// nothing here knows who asks, and no method returns a secret except `webhookSecret`, which
/// is for admins only.
extension TriggerEngine {
    /// The states of a system's instances, in the system's order (empty for an unknown system).
    public func instances(of system: String) -> [TriggerInstanceState] {
        let live: [LiveTriggerInstance] = registry.withLock { registry in
            (registry.bySystem[system] ?? []).compactMap { registry.instances[$0] }
        }
        let now = Date()
        return live.map { $0.state(at: now) }
    }

    /// The states of every instance of a trigger (a trigger's page), sorted by system.
    public func instances(ofTrigger trigger: String) -> [TriggerInstanceState] {
        let live: [LiveTriggerInstance] = registry.withLock { registry in
            registry.instances.values.filter { $0.spec.config.triggerID == trigger }
        }
        let now = Date()
        return live.map { $0.state(at: now) }.sorted { ($0.systemID, $0.instanceID) < ($1.systemID, $1.instanceID) }
    }

    /// The states of every instance, in no order (the metrics' totals).
    public func allInstances() -> [TriggerInstanceState] {
        let live: [LiveTriggerInstance] = registry.withLock { Array($0.instances.values) }
        let now = Date()
        return live.map { $0.state(at: now) }
    }

    /// Every instance id, sorted.
    public var instanceIDs: [String] { registry.withLock { $0.instances.keys.sorted() } }

    /// One instance's state, or nil when there is no such instance.
    public func state(of instance: String) -> TriggerInstanceState? {
        registry.withLock { $0.instances[instance] }?.state(at: Date())
    }

    /// Calls `watcher` with the instance's state now and after every change, until `unwatch`.
    /// Nil when there is no such instance. A watcher that outlives its instance (removed by a
    /// commit) stays registered and hears from a new instance of the same id.
    public func watch(instance: String, _ watcher: @escaping StateWatcher) -> Int? {
        let (token, live): (Int?, LiveTriggerInstance?) = registry.withLock { registry in
            guard let live = registry.instances[instance] else { return (nil, nil) }
            let token = registry.nextToken
            registry.nextToken += 1
            registry.watchers[instance, default: [:]][token] = watcher
            return (token, live)
        }
        if let live { watcher(live.state(at: Date())) }
        return token
    }

    /// Calls `watcher` after every change of any instance (lists of instances that update live).
    public func watchAll(_ watcher: @escaping StateWatcher) -> Int {
        registry.withLock { registry in
            let token = registry.nextToken
            registry.nextToken += 1
            registry.allWatchers[token] = watcher
            return token
        }
    }

    public func unwatch(_ token: Int) {
        registry.withLock { registry in
            registry.allWatchers[token] = nil
            for (instance, var watchers) in registry.watchers where watchers[token] != nil {
                watchers[token] = nil
                registry.watchers[instance] = watchers.isEmpty ? nil : watchers
            }
        }
    }

    /// A webhook call: counts as the instance's `webhook` pulse when the instance exists, is
    /// enabled, its trigger has `enable_webhook`, `secret` matches (compared in constant time)
    /// and `method` is one of its `supported_methods`.
    public func pulseWebhook(instance: String, secret: String, method: String) -> WebhookPulseResult {
        let result = checkWebhook(instance: instance, secret: secret, method: method)
        guard case .accepted = result, let live = registry.withLock({ $0.instances[instance] }) else { return result }
        handle(live.pulse(.webhook, at: Date()), of: live)
        return result
    }

    /// What `pulseWebhook` would answer, without pulsing (a route checks its rate limit between).
    public func checkWebhook(instance: String, secret: String, method: String) -> WebhookPulseResult {
        guard let live = registry.withLock({ $0.instances[instance] }), live.spec.isEnabled,
              live.definition.webhookEnabled, let expected = live.spec.webhookSecret(box: box),
              ConstantTime.equal(secret, expected) else { return .notFound }
        let definition = live.definition
        guard definition.supportedMethods.contains(method.uppercased()) else {
            return .methodNotAllowed(allowed: definition.supportedMethods)
        }
        return .accepted(systemID: live.spec.systemID, execEnabled: live.spec.config.execEnabled)
    }

    /// The secret webhook calls to the instance must present, for an admin's eyes only; nil
    /// when there is no such instance or its sealed secret cannot be opened.
    public func webhookSecret(of instance: String) -> String? {
        registry.withLock { $0.instances[instance] }?.spec.webhookSecret(box: box)
    }

    /// The secret a trigger's outgoing webhooks are signed with (`X-BackOffice-Signature`), for
    /// an admin to give the receiver; nil when there is no such trigger in the configuration.
    public func webhookSigningSecret(ofTrigger trigger: String) -> String? {
        guard runtime?.snapshot?.document(.trigger, trigger) != nil else { return nil }
        return OutgoingWebhookSender.signingSecret(box: box, trigger: trigger)
    }

    /// An admin's "fire now": runs the instance's actions whatever its conditions (enabled or
    /// not), counts it as a firing and returns how each action went. Nil for an unknown instance.
    public func fire(instance: String) async -> [TriggerActionOutcome]? {
        guard let live = registry.withLock({ $0.instances[instance] }) else { return nil }
        live.inner.withLock { $0.evaluator.recordManualFiring(at: Date()) }
        registry.withLock { $0.dirty = true }
        publish(live)
        return await runActions(of: live, manual: true).value
    }

    /// Switches an instance on or off, and whether webhook calls may execute functions, as one
    /// commit on its system's `triggers` list (configuration lives in git): the instance's entry
    /// is updated, or one is added for an instance that came from a zone. Applied at once.
    /// Returns the commit, or nil when nothing changed.
    @discardableResult
    public func setEnabled(instance: String, enabled: Bool? = nil, execEnabled: Bool? = nil, important: Bool? = nil,
                           author: Signature) throws -> CommitInfo? {
        let (runtime, repository, spec, document, config) = try configuration(of: instance)
        var system = document
        var entries = system["triggers"]?.arrayValue ?? []
        var entry: [String: JSONValue]
        let position: Int
        if case .systemEntry(let index) = config.origin, entries.indices.contains(index), let members = entries[index].objectValue {
            entry = members
            position = index
        } else {
            entry = ["id": .string(instance), "trigger_id": .string(config.triggerID)]
            entries.append(.object(entry))
            position = entries.count - 1
        }
        var changes: [String] = []
        if let enabled, enabled != config.enabled {
            entry["enabled"] = .bool(enabled)
            changes.append(enabled ? "enabled" : "disabled")
        }
        if let execEnabled, execEnabled != config.execEnabled {
            entry["exec_enabled"] = .bool(execEnabled)
            changes.append(execEnabled ? "webhook exec on" : "webhook exec off")
        }
        if let important, important != config.important {
            entry["important"] = .bool(important)
            changes.append(important ? "important" : "not important")
        }
        guard !changes.isEmpty else { return nil }
        entries[position] = .object(entry)
        system.members["triggers"] = .array(entries)
        let message = "systems: trigger \"\(spec.definition.name)\" in \"\(system.displayName)\" \(changes.joined(separator: ", "))"
        let result = try repository.apply([.save(system)], author: author, message: message)
        runtime.apply(result.snapshot, onlyWhileHead: true)
        return result.commit
    }

    /// Takes an instance away from its system as one commit: an instance only the system's own
    /// entry makes is removed with its entry; one that a zone or the trigger itself
    /// (`control_system_id`) applies cannot be removed there, so it is switched off (an entry
    /// with `enabled: false`, the room's opt-out). Returns the commit, nil when nothing changed.
    @discardableResult
    public func removeInstance(_ instance: String, author: Signature) throws -> CommitInfo? {
        let (runtime, repository, spec, document, config) = try configuration(of: instance)
        if config.zoneID != nil || config.origin == .dedicated {
            return try setEnabled(instance: instance, enabled: false, author: author)
        }
        guard case .systemEntry(let index) = config.origin else { return nil }
        var system = document
        var entries = system["triggers"]?.arrayValue ?? []
        guard entries.indices.contains(index) else { return nil }
        entries.remove(at: index)
        system.members["triggers"] = .array(entries)
        let message = "systems: trigger \"\(spec.definition.name)\" removed from \"\(system.displayName)\""
        let result = try repository.apply([.save(system)], author: author, message: message)
        runtime.apply(result.snapshot, onlyWhileHead: true)
        return result.commit
    }

    /// The instance as the branch head configures it, with what a commit to it needs.
    private func configuration(of instance: String) throws
        -> (RuntimeEngine, ConfigRepository, TriggerInstanceSpec, ConfigDocument, TriggerInstanceConfig) {
        guard let runtime, let repository = runtime.repository else {
            throw RuntimeError(code: "failed", message: "no configuration repository to commit to")
        }
        guard let spec = registry.withLock({ $0.specs[instance] }) else {
            throw RuntimeError(code: "unknown_trigger", message: "there is no trigger instance \(instance)")
        }
        let head = try repository.headSnapshot()
        guard let system = head.document(.system, spec.systemID),
              let config = head.triggerInstances(ofSystem: spec.systemID).first(where: { $0.id == instance }) else {
            throw RuntimeError(code: "unknown_trigger", message: "instance \(instance) is no longer in the configuration")
        }
        return (runtime, repository, spec, system, config)
    }
}
