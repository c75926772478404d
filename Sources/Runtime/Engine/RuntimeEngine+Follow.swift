import ConfigRepo

extension RuntimeEngine {
    /// How far back along the branch's first parents a start onto an invalid head looks for a
    /// good commit, when the state directory does not name the one applied before.
    static let startupSearchDepth = 20

    /// Applies the repository's head now and every new good head from now on.
    ///
    /// An invalid head at start is refused like any other (it becomes ``invalidHead``, so the
    /// site shows the banner). The runtime then runs the commit it applied before the restart,
    /// or else the newest valid commit among the head's first parents, or nothing.
    public func follow(_ repository: ConfigRepository, interval: Duration = .milliseconds(200)) throws {
        let head = try repository.headSnapshot()
        if refuseIfInvalid(head) == nil {
            apply(head)
        } else if let good = lastGoodSnapshot(in: repository, before: head) {
            log("runtime: starting on \(good.commit?.short ?? "-"), the last good commit")
            apply(good)
        } else {
            log("runtime: no good commit found; no module runs until a valid commit arrives")
        }
        let token = try repository.watch(interval: interval) { [weak self] change in self?.receive(change.new) }
        watchToken.withLock { $0 = token }
        // A commit that landed while the start was checked came before the watcher's first head.
        if repository.store.head() != head.commit { receive(try repository.headSnapshot()) }
    }

    private func lastGoodSnapshot(in repository: ConfigRepository, before head: Snapshot) -> Snapshot? {
        if let recorded = appliedCommitRecord?.load(), recorded != head.commit,
           let snapshot = try? repository.snapshot(at: recorded.hex),
           Validator(snapshot: snapshot).validateAll().isEmpty {
            return snapshot
        }
        guard let tip = head.commit?.hex else { return nil }
        for depth in 1...Self.startupSearchDepth {
            guard let snapshot = try? repository.snapshot(at: "\(tip)~\(depth)") else { return nil }
            if Validator(snapshot: snapshot).validateAll().isEmpty { return snapshot }
        }
        return nil
    }
}
