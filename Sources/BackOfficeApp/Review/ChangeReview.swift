import ConfigRepo
import Runtime
import SiteGen

/// A reviewer's view of going from one commit to another (issue 16): every object changed, in
/// words; whether the new commit passes the validation gate, with its problems; and what the
/// runtime would do to apply it. `backoffice diff` prints it; the branches page shows it.
public struct ChangeReview: Sendable {
    public var base: CommitInfo?
    public var head: CommitInfo?
    public var changes: [ObjectChange]
    /// The head's problems, as `backoffice check` finds them; empty when it passes.
    public var problems: [ValidationProblem]
    public var plan: ApplyPreview
    /// Display names of the modules, systems and triggers the plan names (from both snapshots).
    public var names: [String: String]

    public var passes: Bool { problems.isEmpty }

    /// Compares `base` with `head`. With the deployment's secret (the repository's box),
    /// encrypted values are also checked to open and the plan compares decrypted settings.
    public init(repository: ConfigRepository, base: Snapshot, head: Snapshot) {
        self.base = base.commit.flatMap { try? repository.store.commitInfo($0) }
        self.head = head.commit.flatMap { try? repository.store.commitInfo($0) }
        changes = SnapshotDiff.between(base, head)
        problems = (repository.problems(in: head) + MapCheck.problems(in: head)).sorted()
        plan = ApplyPreview(from: base, to: head, box: repository.secretBox)
        var names: [String: String] = [:]
        for snapshot in [base, head] {
            for action in plan.modules {
                guard let id = action.subject else { continue }
                if let module = snapshot.document(.module, id) {
                    names[id] = ModuleView(module).customName ?? snapshot.driver(ofModule: module)?.moduleName ?? id
                } else if let system = snapshot.document(.system, id) {
                    names[id] = system.displayName
                }
            }
            for change in plan.triggers {
                if let trigger = snapshot.document(.trigger, change.trigger) { names[change.trigger] = trigger.displayName }
                if let system = snapshot.document(.system, change.system) { names[change.system] = system.displayName }
            }
        }
        self.names = names
    }

    /// The lines of the runtime plan: `restart mod-l2-ferry-projector "Projector"`, …
    public var planLines: [String] {
        plan.modules.map { action in
            let (verb, id, why) = action.words
            let name = names[id].map { $0 == id ? "" : " " + ChangeWords.quoted($0) } ?? ""
            return "\(verb) \(id)\(name)\(why.isEmpty ? "" : " (\(why))")"
        } + plan.triggers.map { change in
            "\(change.action.rawValue) trigger \(ChangeWords.quoted(names[change.trigger] ?? change.trigger)) on "
                + "\(change.system) \(ChangeWords.quoted(names[change.system] ?? change.system)) (instance \(change.instance))"
        }
    }
}

extension ApplyAction {
    /// The module or system the action is about.
    var subject: String? {
        switch self {
        case .start(let id), .stop(let id), .restart(let id), .reconnect(let id), .update(let id): id
        case .remap(let system): system
        }
    }

    /// The verb, the id and why, for a line of words.
    var words: (verb: String, id: String, why: String) {
        switch self {
        case .start(let id): ("start", id, "")
        case .stop(let id): ("stop", id, "")
        case .restart(let id): ("restart", id, "its driver or executable changed")
        case .reconnect(let id): ("reconnect", id, "a connection field changed")
        case .update(let id): ("update", id, "settings, name or notes changed")
        case .remap(let system): ("remap", system, "its Name_index lookups changed")
        }
    }
}
