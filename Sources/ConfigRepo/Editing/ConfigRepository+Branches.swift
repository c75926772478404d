/// What merging a branch into the tracked branch would do, computed on the current head.
public struct BranchMergePreview: Sendable {
    public enum Outcome: Sendable {
        /// The tracked branch already holds the branch: nothing to merge.
        case alreadyMerged
        /// Both sides changed the same lines of these paths.
        case conflict(paths: [String])
        /// The merge applies: `candidate` is the configuration it makes, `paths` the files it changes.
        case clean(candidate: Snapshot, paths: [String])
    }

    public var branch: ConfigBranch
    /// The tracked branch's head it was computed on.
    public var base: Snapshot
    public var outcome: Outcome
}

/// Branches of the configuration repository merged through the gate (the branches page).
extension ConfigRepository {
    /// What merging `branch` into the current head would make; nothing is written.
    public func mergePreview(of branch: ConfigBranch) throws(StoreError) -> BranchMergePreview {
        let base = try headSnapshot()
        if try store.headContains(branch.head) { return BranchMergePreview(branch: branch, base: base, outcome: .alreadyMerged) }
        let plan: MergePlan
        do { plan = try store.mergePlan(branch) } catch .mergeConflict(let paths) {
            return BranchMergePreview(branch: branch, base: base, outcome: .conflict(paths: paths))
        }
        return BranchMergePreview(branch: branch, base: base,
                                  outcome: .clean(candidate: candidate(after: plan, on: base), paths: plan.changes.map(\.path)))
    }

    /// Merges `branch` into the tracked branch as one merge commit (first parent the head,
    /// second the branch) authored by `author`, when the merge applies and its result passes
    /// the validation gate (every problem `backoffice check` would report). Refused, with
    /// nothing written: a conflict (`.store(.mergeConflict)`, also when the head moved onto
    /// the same files meanwhile), an invalid result (`.invalid`), a change `role` may not make
    /// (`.notPermitted`), a branch already merged (`.store(.notFound)`).
    @discardableResult
    public func merge(_ branch: ConfigBranch, author: Signature, actingAs role: Role? = nil) throws(WriteError) -> WriteResult {
        let base: Snapshot
        let plan: MergePlan
        do throws(StoreError) {
            base = try headSnapshot()
            guard base.commit != nil else { throw StoreError.notFound("branch \(store.branch) has no commit") }
            if try store.headContains(branch.head) {
                throw StoreError.notFound("nothing to merge: \(branch.name) is already in \(store.branch)")
            }
            plan = try store.mergePlan(branch)
        } catch {
            throw .store(error)
        }
        let candidate = candidate(after: plan, on: base)
        let paths = plan.changes.map(\.path)
        if let role {
            let refused = ChangeClearance.forTrees(before: base, after: candidate, paths: paths).unmet(by: role)
            if !refused.isEmpty { throw .notPermitted(refused) }
        }
        let problems = problems(in: candidate)
        if !problems.isEmpty { throw .invalid(problems) }
        let objects = Set(paths.compactMap { path -> ObjectRef? in if case .object(let ref) = RepoPath(path) { ref } else { nil } })
        do {
            let info = try store.commit(plan.changes, author: author, message: branch.mergeSubject + "\n",
                                        mergeParents: [branch.head])
            return WriteResult(commit: info, changed: objects.sorted(), changedDeployment: paths.contains(RepoPath.deploymentFile),
                               snapshot: try headSnapshot())
        } catch .conflict(let path, _, _) {
            // The head moved onto a file the merge changes: decide again on the new head.
            throw .store(.mergeConflict(paths: [path]))
        } catch {
            throw .store(error)
        }
    }

    /// The configuration `plan` makes on `base`, read as the store will read it after the
    /// commit (a file that does not read as its kind is a problem, not a deletion).
    private func candidate(after plan: MergePlan, on base: Snapshot) -> Snapshot {
        var files: [String: RepoFile?] = [:]
        for change in plan.changes {
            files[change.path] = .some(change.content.map { RepoFile(path: change.path, blob: Snapshot.unwrittenVersion, bytes: $0) })
        }
        return base.applying(files, commit: base.commit)
    }
}
