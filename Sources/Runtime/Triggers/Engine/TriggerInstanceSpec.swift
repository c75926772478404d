import ConfigRepo
import Crypto
import Foundation

/// What the configuration asks of one running instance: its configuration entry, its trigger
/// read for the system's time zone, and its webhook secret opened. Two specs compare equal when
/// nothing the instance would do differently changed.
struct TriggerInstanceSpec: Sendable, Equatable {
    var config: TriggerInstanceConfig
    var definition: TriggerDefinition
    /// What the definition was read from: the trigger file's version and the time zone (equal
    /// keys, equal definitions; cheaper to compare than the definitions).
    var definitionKey: String
    var systemName: String
    /// The opened secret of an entry's sealed `webhook_secret` (nil when it cannot be opened, or
    /// when the secret is derived: that one is computed when asked, see `webhookSecret(box:)`).
    var sealedWebhookSecret: String?
    /// Problems found reading the configuration (shown on the instance).
    var problems: [String]

    static func == (lhs: TriggerInstanceSpec, rhs: TriggerInstanceSpec) -> Bool {
        lhs.config == rhs.config && lhs.definitionKey == rhs.definitionKey && lhs.systemName == rhs.systemName
            && lhs.sealedWebhookSecret == rhs.sealedWebhookSecret && lhs.problems == rhs.problems
    }

    var id: String { config.id }

    /// The secret a webhook call must present; nil when a sealed one cannot be opened. A derived
    /// secret is computed here (an HKDF), not at apply: most instances never get a webhook call.
    func webhookSecret(box: SecretBox) -> String? {
        switch config.webhookSecret {
        case .derived: Self.derivedSecret(box: box, instance: id)
        case .sealed: sealedWebhookSecret
        }
    }
    /// Runs at all: its entry (or zone default) and its trigger are enabled.
    var isEnabled: Bool { config.enabled && definition.enabled }
    var systemID: String { config.systemID }

    /// The spec of every instance of a snapshot (`instances`: its `allTriggerInstances()`), by
    /// id. `reusing` specs whose inputs did not change keep their opened secret and parsed
    /// trigger, so an apply with 10,000 instances does not derive 10,000 secrets again.
    static func all(in snapshot: Snapshot, instances: [String: [TriggerInstanceConfig]], box: SecretBox,
                    reusing old: [String: TriggerInstanceSpec]) -> [String: TriggerInstanceSpec] {
        var specs: [String: TriggerInstanceSpec] = [:]
        var definitions: [String: TriggerDefinition] = [:]
        for (systemID, configs) in instances {
            guard let system = snapshot.document(.system, systemID) else { continue }
            let zone = timeZone(ofSystem: system, in: snapshot)
            for config in configs {
                guard let trigger = snapshot.document(.trigger, config.triggerID) else { continue }
                let version = trigger.version?.hex ?? JSONWriter.compactString(.object(trigger.members))
                let key = "\(trigger.id)\u{0}\(version)\u{0}\(zone.identifier)"
                if let previous = old[config.id], previous.config == config, previous.definitionKey == key,
                   previous.systemName == system.displayName {
                    specs[config.id] = previous
                    continue
                }
                let definition = definitions[key] ?? TriggerDefinition(trigger, timeZone: zone)
                definitions[key] = definition
                var problems = definition.problems
                var secret: String?
                if case .sealed(let envelope, let binding) = config.webhookSecret {
                    do { secret = try box.open(envelope, binding: binding).stringValue } catch {
                        problems.append("webhook_secret: \(error); webhook calls are refused")
                    }
                }
                specs[config.id] = TriggerInstanceSpec(config: config, definition: definition, definitionKey: key,
                                                       systemName: system.displayName, sealedWebhookSecret: secret, problems: problems)
            }
        }
        return specs
    }

    /// The secret of an instance no entry gives one: 43 URL-safe characters derived from the
    /// deployment secret and the instance id (docs/triggers.md).
    static func derivedSecret(box: SecretBox, instance: String) -> String {
        Base64URL.encode(box.derivedSecret(purpose: "trigger webhook", subject: instance))
    }

    /// A system's time zone for `cron` conditions that name none: its own `timezone`, else the
    /// last of its zones that has one (zones later in the list are nearer the room), else UTC.
    static func timeZone(ofSystem system: ConfigDocument, in snapshot: Snapshot) -> TimeZone {
        let names = [system.string("timezone")] + SystemView(system).zoneIDs.reversed().map { snapshot.document(.zone, $0)?.string("timezone") }
        for case let name? in names {
            if let zone = TimeZone(identifier: name) { return zone }
        }
        return TimeZone(identifier: "UTC")!
    }
}
