import ConfigRepo
import Runtime

extension UpstreamFollower {
    /// What a rebase of our waiting commits did.
    enum RebaseOutcome {
        /// Our branch now holds the upstream's head with our commits replayed on it (or our
        /// branch moved meanwhile): decide again.
        case moved
        /// Nothing moved, and why is in the status' refusal.
        case refused
    }

    /// Replays our commits since `synced` (the last upstream commit taken) onto the upstream's
    /// new `head` (docs/git-workflows.md, "the consistency rule"): file by file, a commit whose
    /// files the upstream did not touch lands on top of it with its author and message; each
    /// replayed commit must pass the gate; then our branch moves from `local` to the last one,
    /// and the next round pushes it. A commit that changed a file the upstream changed too, or
    /// one that would be invalid on top of it, is not replayed: every commit stays where it is,
    /// acknowledged and waiting, and the banner names it and why.
    func rebase(_ local: ObjectID, since synced: ObjectID, onto head: ObjectID) throws -> RebaseOutcome {
        let store = repository.store
        guard let ours = try store.commits(after: synced, upTo: local), !ours.isEmpty else { return .refused }
        switch try store.replay(ours, onto: head, committer: .backoffice) {
        case .conflict(let commit, let paths):
            refuse(head, reason: "the upstream moved on and changed \(paths.joined(separator: ", ")), which \(describe(commit)) "
                + "of this deployment changed too; it stays here with the \(ours.count) commit\(ours.count == 1 ? "" : "s") waiting, "
                + "nothing is overwritten: an admin resolves it (merge upstream/\(settings.branch) into the deployment's branch in git "
                + "and push the result to the deployment)")
            return .refused
        case .replayed(let rebased, let commits):
            var invalid: (ObjectID, [ValidationProblem])?
            try repository.forEachSnapshot(of: commits) { commit, snapshot in
                guard invalid == nil else { return }
                let problems = Validator(snapshot: snapshot).validateAll()
                if !problems.isEmpty { invalid = (commit, problems.sorted()) }
            }
            if let (commit, problems) = invalid {
                let replayed = try? store.commitInfo(commit)
                refuse(head, reason: "\(replayed.map(describe) ?? "a commit") of this deployment does not pass validation on top of "
                    + "the upstream's new commits; the \(ours.count) commit\(ours.count == 1 ? "" : "s") waiting stay here, nothing is "
                    + "overwritten: an admin resolves it", problems: problems)
                return .refused
            }
            if try store.moveBranch(to: rebased, from: local,
                                    logMessage: "upstream: \(ours.count) commit(s) replayed onto \(head.short)") {
                log("upstream: replayed \(ours.count) waiting commit\(ours.count == 1 ? "" : "s") onto \(head.short) "
                    + "(\(local.short) → \(rebased.short))")
            }
            return .moved
        }
    }

    /// `commit 1a2b3c4d "systems: capacity of …" by Alice`.
    private func describe(_ commit: CommitInfo) -> String {
        "commit \(commit.id.short) \(ChangeWords.quoted(commit.subject)) by \(commit.author.name)"
    }
}
