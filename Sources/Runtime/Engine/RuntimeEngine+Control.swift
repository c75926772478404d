import ConfigRepo

extension RuntimeEngine {
    /// Starts or stops modules the GitOps way: one commit setting their `running` field, applied
    /// at once (the watcher then sees a commit already running). Returns the commit.
    @discardableResult
    public func setRunning(_ modules: [String], _ running: Bool, author: Signature) throws -> CommitInfo {
        guard let repository else { throw RuntimeError(code: "failed", message: "no configuration repository to commit to") }
        let head = try repository.headSnapshot()
        var edits: [Edit] = []
        for id in modules {
            guard var document = head.document(.module, id) else { throw RuntimeError.unknownModule(id) }
            guard ModuleView(document).running != running else { continue }
            if running { document.members["running"] = nil } else { document.members["running"] = .bool(false) }
            edits.append(.save(document))
        }
        let verb = running ? "start" : "stop"
        let what = modules.count == 1 ? modules[0] : "\(modules.count) modules"
        let result = try repository.apply(edits, author: author, message: "\(verb) \(what)")
        apply(result.snapshot, onlyWhileHead: true)
        return result.commit
    }

    /// The module ids of a system, in order; nil when there is no such system.
    public func modules(ofSystem system: String) -> [String]? {
        directory.systems[system]?.map(\.moduleID)
    }
}
