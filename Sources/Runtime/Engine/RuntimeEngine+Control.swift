import ConfigRepo

extension RuntimeEngine {
    /// Starts or stops modules the GitOps way: one commit setting their `running` field, applied
    /// at once (the watcher then sees a commit already running). Returns the commit. `system`
    /// names the system whose modules these are, for the message (`stop the modules of "Boardroom"`).
    @discardableResult
    public func setRunning(_ modules: [String], _ running: Bool, author: Signature, system: String? = nil) throws -> CommitInfo {
        guard let repository else { throw RuntimeError(code: "failed", message: "no configuration repository to commit to") }
        let head = try repository.headSnapshot()
        var edits: [Edit] = []
        for id in modules {
            guard var document = head.document(.module, id) else { throw RuntimeError.unknownModule(id) }
            guard ModuleView(document).running != running else { continue }
            if running { document.members["running"] = nil } else { document.members["running"] = .bool(false) }
            edits.append(.save(document))
        }
        let result = try repository.apply(edits, author: author, message: Self.runningMessage(modules, running, system: system, in: head))
        apply(result.snapshot, onlyWhileHead: true)
        return result.commit
    }

    /// `start module "Projector"`, `stop the modules of "Boardroom"`, `stop 3 modules`.
    static func runningMessage(_ modules: [String], _ running: Bool, system: String?, in head: Snapshot) -> String {
        let verb = running ? "start" : "stop"
        if let system, let document = head.document(.system, system) { return "\(verb) the modules of \"\(document.displayName)\"" }
        guard modules.count == 1, let document = head.document(.module, modules[0]) else { return "\(verb) \(modules.count) modules" }
        let name = ModuleView(document).customName ?? head.driver(ofModule: document)?.moduleName ?? document.id
        return "\(verb) module \"\(name)\""
    }

    /// The module ids of a system, in order; nil when there is no such system.
    public func modules(ofSystem system: String) -> [String]? {
        directory.systems[system]?.map(\.moduleID)
    }
}
