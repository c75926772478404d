/// Problems of trees other than the head's: a commit, or every commit of a push.
extension ConfigRepository {
    /// Every problem of a snapshot: validation, and with the secret every envelope that does not
    /// open for its object.
    public func problems(in snapshot: Snapshot) -> [ValidationProblem] {
        var problems = Validator(snapshot: snapshot).validateAll()
        if let secretBox { problems += EnvelopeVerifier(box: secretBox).problems(in: snapshot) }
        return problems.sorted()
    }

    /// Calls `body` with the snapshot of each of `commits` in order, each read incrementally
    /// from the one before (the first from the branch head), so walking the commits of a push
    /// costs one tree diff per commit rather than one whole tree.
    public func forEachSnapshot(of commits: [ObjectID], _ body: (ObjectID, Snapshot) throws -> Void) throws {
        var current = try headSnapshot()
        for commit in commits {
            var changes: [String: RepoFile?] = [:]
            for path in try store.changes(from: current.commit, to: commit) {
                changes[path] = .some(try store.file(at: commit, path: path))
            }
            // A removed copy of a duplicated object: the copy left behind takes its place.
            for case (let path, nil) in changes {
                guard case .object(let ref) = RepoPath(path) else { continue }
                for other in current.duplicatePaths(of: ref) where changes[other] == nil {
                    changes[other] = .some(try store.file(at: commit, path: other))
                }
            }
            current = current.commit == nil && changes.isEmpty
                ? Snapshot(commit: commit, files: [])
                : current.applying(changes, commit: commit)
            try body(commit, current)
        }
    }
}
