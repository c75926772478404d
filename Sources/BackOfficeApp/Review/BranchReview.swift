import ConfigRepo
import SiteGen

/// One branch as the branches page shows it (issue 16): what merging it into the tracked
/// branch would change, in the words of `backoffice diff` (``ChangeReview``), whether that
/// passes the gate, and what the runtime would do. A branch that conflicts is shown as its
/// own change since it forked (merge base → branch head) beside the conflicting files.
struct BranchReview: Sendable {
    enum State: Sendable {
        /// The merge applies and its result passes validation.
        case mergeable
        /// The merge applies but its result fails validation (``ChangeReview/problems``).
        case invalid
        /// Both sides changed the same lines of these files.
        case conflict([String])
        /// The tracked branch already holds it.
        case merged
    }

    let branch: ConfigBranch
    let commit: CommitInfo?
    let state: State
    /// The change (nil for a merged branch).
    let review: ChangeReview?

    init(repository: ConfigRepository, branch: ConfigBranch) throws(StoreError) {
        self.branch = branch
        commit = try? repository.store.commitInfo(branch.head)
        let preview = try repository.mergePreview(of: branch)
        switch preview.outcome {
        case .alreadyMerged:
            state = .merged
            review = nil
        case .clean(let candidate, _):
            var review = ChangeReview(repository: repository, base: preview.base, head: candidate)
            review.head = commit
            state = review.passes ? .mergeable : .invalid
            self.review = review
        case .conflict(let paths):
            state = .conflict(paths)
            let forked = try repository.store.mergeBase(withHead: branch.head)
            let base = try forked.map { id throws(StoreError) in try repository.snapshot(at: id.hex) } ?? Snapshot(commit: nil, files: [])
            review = ChangeReview(repository: repository, base: base, head: try repository.snapshot(at: branch.head.hex))
        }
    }

    /// One sentence on whether it can be merged.
    var verdict: String {
        switch state {
        case .mergeable: "Merges cleanly and passes validation."
        case .invalid:
            "Cannot be merged: the result fails validation with \(review?.problems.count ?? 0) problem\(review?.problems.count == 1 ? "" : "s")."
        case .conflict(let paths): "Cannot be merged: both sides changed " + paths.joined(separator: ", ") + "."
        case .merged: "Merged: the tracked branch already holds it."
        }
    }

    /// The template values of its panel; `tokens` are the merge and delete forms' tokens.
    func values(mergeToken: String, deleteToken: String) -> TemplateValue {
        let ok = if case .mergeable = state { true } else { false }
        let merged = if case .merged = state { true } else { false }
        let invalid = if case .invalid = state { true } else { false }
        var values: [String: TemplateValue] = [
            "name": .string(branch.name), "reference": .string(branch.reference), "head": .string(branch.head.hex),
            "short": .string(branch.head.short), "upstream": .bool(branch.isUpstream),
            "subject": .string(commit?.subject ?? ""), "author": .string(commit?.author.name ?? ""),
            "date": .string(commit?.author.date.map { ChangeValues.format($0) } ?? ""),
            "verdict": .string(verdict), "verdictKind": .string(ok || merged ? "ok" : "error"),
            "merged": .bool(merged), "conflicting": .bool({ if case .conflict = state { true } else { false } }()),
            "changes": .list((review?.changes ?? []).map { .string($0.line) }),
            "problems": .list(invalid ? (review?.problems ?? []).map { .string($0.description) } : []),
            "plan": .list(ok ? (review?.planLines ?? []).map { .string($0) } : []),
        ]
        values["hasProblems"] = .bool(invalid && !(review?.problems.isEmpty ?? true))
        values["hasPlan"] = .bool(ok && !(review?.planLines.isEmpty ?? true))
        if ok { values["mergeToken"] = .string(mergeToken) }
        if !branch.isUpstream { values["deleteToken"] = .string(deleteToken) }
        return .object(values)
    }
}
