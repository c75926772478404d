import ConfigRepo
import SiteGen

/// What the pre-receive hook checks when a push moves the tracked branch (docs/config-format.md,
/// "Pushing"), cheapest first:
///
/// 1. the branch only moves forward (the new head contains the old one);
/// 2. size limits on the files the push adds, one by one and together (`FileLimits`), before
///    any of them is read;
/// 3. every commit the push adds: no symbolic link or submodule, and its whole tree validates
///    (`backoffice check`, with the deployment secret, maps rendered) — not only the tip, since
///    history keeps a plain secret or a broken file of an intermediate commit for good;
/// 4. the tip does not lock everyone out (`SignInContinuity`).
struct PushGate {
    let repository: ConfigRepository
    let branch: String
    /// Whether a user id has a password in this deployment's state directory.
    let canSignIn: (String) -> Bool

    /// One refusal: a headline and its problems.
    struct Refusal {
        var headline: String
        var lines: [String] = []
    }

    /// Why moving the branch from `old` (nil: the branch is created) to `new` is refused;
    /// empty when the push may land.
    func refusals(old: String?, new: String) throws -> [Refusal] {
        if let old, !GitCLI.isAncestor(old, of: new) {
            return [Refusal(headline: "\(branch) may only move forward: \(short(new)) does not contain \(short(old)), the commit the "
                            + "deployment runs; a force push would drop commits it already acknowledged (form edits among them). "
                            + "Fetch, rebase or merge, and push again.")]
        }
        var sizes: [String] = []
        var total = 0
        for blob in try GitCLI.newBlobs(new) {
            total += blob.size
            if let problem = FileLimits.problem(path: blob.path, size: blob.size) { sizes.append(problem.description) }
        }
        if let problem = FileLimits.pushProblem(size: total) { sizes.append(problem) }
        if !sizes.isEmpty { return [Refusal(headline: "the push is too large; refused:", lines: sizes)] }

        var refusals: [Refusal] = []
        let commits = try GitCLI.newCommits(new).compactMap(ObjectID.init(hex:))
        var maps: [[UInt8]: String?] = [:]
        var tip: Snapshot?
        try repository.forEachSnapshot(of: commits) { commit, snapshot in
            var lines = try GitCLI.linksAndSubmodules(in: commit.hex).map { entry in
                "\(entry.path): a \(entry.mode == "120000" ? "symbolic link" : "submodule") (mode \(entry.mode)); the configuration holds regular files only"
            }
            lines += (repository.problems(in: snapshot) + MapCheck.problems(in: snapshot, memo: &maps)).sorted().map(\.description)
            if !lines.isEmpty {
                let subject = (try? repository.store.commitInfo(commit).subject) ?? ""
                refusals.append(Refusal(headline: "\(commit.short) \"\(subject)\" does not validate; push refused "
                                        + "(\(lines.count) problem\(lines.count == 1 ? "" : "s")):", lines: lines))
            }
            if commit.hex == new { tip = snapshot }
        }
        // A tip that is no new commit (a commit another ref already had) is checked as it is.
        let after = try tip ?? repository.snapshot(at: new)
        if tip == nil {
            let lines = (repository.problems(in: after) + MapCheck.problems(in: after)).sorted().map(\.description)
            if !lines.isEmpty { refusals.append(Refusal(headline: "\(short(new)) does not validate; push refused:", lines: lines)) }
        }
        if old != nil {
            let lockout = SignInContinuity.problems(before: try repository.headSnapshot(), after: after, canSignIn: canSignIn)
            if !lockout.isEmpty {
                refusals.append(Refusal(headline: "\(short(new)) would lock everyone out; push refused:", lines: lockout.map(\.description)))
            }
        }
        return refusals
    }

    private func short(_ id: String) -> String { String(id.prefix(10)) }
}
