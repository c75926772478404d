import ConfigRepo

/// What applying one snapshot after another would do, without running anything: the module
/// actions of ``ApplyPlanner`` and the trigger instances started, stopped and restarted, as the
/// engine would compute them (`backoffice diff`, the branches page).
///
/// Executables are named by driver, repository and commit instead of being looked up on disk,
/// so a preview needs no build. Without the deployment secret (`box` nil) encrypted settings are
/// compared as they are stored: any re-seal counts as a settings change.
public struct ApplyPreview: Sendable, Hashable {
    /// What happens to one trigger instance.
    public struct TriggerChange: Sendable, Hashable {
        public enum Action: String, Sendable, Hashable { case start, stop, restart }
        public var action: Action
        public var instance: String
        public var trigger: String
        public var system: String
    }

    public var modules: [ApplyAction]
    public var triggers: [TriggerChange]

    public var isEmpty: Bool { modules.isEmpty && triggers.isEmpty }

    public init(from old: Snapshot, to new: Snapshot, box: SecretBox?) {
        let openingBox = box ?? SecretBox(secret: .ephemeral())
        let oldSpecs = Self.specs(in: old, box: openingBox, opening: box != nil)
        let newSpecs = Self.specs(in: new, box: openingBox, opening: box != nil)
        let oldDirectory = SystemDirectory(snapshot: old), newDirectory = SystemDirectory(snapshot: new)
        modules = ApplyPlanner.plan(old: oldSpecs, new: newSpecs, oldDirectory: oldDirectory, newDirectory: newDirectory)

        let changedSystems = newDirectory.changedSystems(comparedTo: oldDirectory)
        let before = TriggerInstanceSpec.all(in: old, instances: old.allTriggerInstances(), box: openingBox, reusing: [:])
        let after = TriggerInstanceSpec.all(in: new, instances: new.allTriggerInstances(), box: openingBox, reusing: [:])
        var triggers: [TriggerChange] = []
        for id in Set(before.keys).union(after.keys).sorted() {
            let action: TriggerChange.Action
            switch (before[id], after[id]) {
            case (nil, nil): continue
            case (nil, _?): action = .start
            case (_?, nil): action = .stop
            case let (old?, new?):
                guard old != new || changedSystems.contains(new.systemID) else { continue }
                action = .restart
            }
            let spec = (after[id] ?? before[id])!
            triggers.append(TriggerChange(action: action, instance: id, trigger: spec.config.triggerID, system: spec.systemID))
        }
        self.triggers = triggers
    }

    private static func specs(in snapshot: Snapshot, box: SecretBox, opening: Bool) -> [String: ModuleSpec] {
        var specs = ModuleSpec.all(in: snapshot, resolver: NamingResolver(), box: box)
        guard !opening else { return specs }
        for id in specs.keys {
            let layers = snapshot.settingsLayers(forModule: id)
            specs[id]?.config["settings"] = .array(layers.map { .object(["from": .string($0.source.description), "settings": $0.settings.json]) })
            specs[id]?.settingsProblem = nil
        }
        return specs
    }
}

/// Names a driver's executable by what would build it (repository, uri, file, commit),
/// without looking on disk: two snapshots that name the same build get the same name.
private struct NamingResolver: DriverBinaryResolver {
    func executable(for driver: DriverView, repository: ConfigDocument?) -> Result<String, RuntimeError> {
        let parts = [repository?.id, repository?.string("uri"), repository?.string("commit_hash"), repository?.string("branch"),
                     driver.document.string("file_name"), driver.document.string("commit")]
        return .success(parts.map { $0 ?? "" }.joined(separator: "|"))
    }
}
