import CGit2
import Foundation

/// When the working tree catches up with a commit made through the store.
public enum WorkingTreeUpdate: Sendable {
    /// Inside `commit`, before it returns: `git status` is clean when it returns. Costs an
    /// index write per commit (≈50 ms with 60,000 files).
    case immediate
    /// On a background queue shortly after the commit (100 ms, longer when checkouts are
    /// slow), a burst of commits coalescing into one checkout. Writers do not wait;
    /// ``ConfigStore/waitForWorkingTree()`` waits.
    case background
}

/// Brings the working tree from the tree it last matched to the branch head, on its own
/// serial queue with its own repository handle (reopened each run, so packs swapped by the
/// packer are never missed).
final class WorkingTreeFollower: @unchecked Sendable {
    // @unchecked: `matchedTree` is only touched on `queue`; `scheduled` only under `lock`.
    private let queue = DispatchQueue(label: "ConfigStore working tree")
    private let lock = NSLock()
    private var scheduled = false
    private var matchedTree: git_oid?
    private let path: String
    private let referenceName: String
    private let report: @Sendable (GitError?) -> Void

    init(path: String, referenceName: String, matchedTree: git_oid?, report: @escaping @Sendable (GitError?) -> Void) {
        self.path = path
        self.referenceName = referenceName
        self.matchedTree = matchedTree
        self.report = report
    }

    /// How long a requested catch-up waits for more commits: at least 100 ms, and four times
    /// what the last catch-up took. A catch-up reads and rewrites the index (62,000 entries in
    /// the benchmark's repository, 25–40 ms), so under a stream of commits the follower stays
    /// under a fifth of a core instead of competing with the writers.
    private var coalescingDelay: Double {
        lock.lock()
        defer { lock.unlock() }
        return max(0.1, 4 * lastCatchUpSeconds)
    }
    /// Guarded by `lock`.
    private var lastCatchUpSeconds = 0.0

    /// Asks for a catch-up; several requests before it runs make one.
    func schedule() {
        lock.lock()
        let start = !scheduled
        scheduled = true
        lock.unlock()
        guard start else { return }
        queue.asyncAfter(deadline: .now() + coalescingDelay) { self.catchUpIfScheduled() }
    }

    /// Returns once every catch-up requested before the call has run (running it now rather
    /// than after the coalescing delay).
    func wait() {
        queue.sync { catchUpIfScheduled() }
    }

    private func catchUpIfScheduled() {
        lock.lock()
        let due = scheduled
        scheduled = false
        lock.unlock()
        guard due else { return }
        let start = DispatchTime.now().uptimeNanoseconds
        catchUp()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        lock.lock()
        lastCatchUpSeconds = seconds
        lock.unlock()
    }

    private func catchUp() {
        var lastError: GitError?
        for attempt in 0..<20 {
            if attempt > 0 { Thread.sleep(forTimeInterval: 0.05) }  // index.lock held, a pack swapped …
            do {
                let repo = try GitRepository(openAt: path)
                guard let head = try repo.referenceTarget(referenceName) else { return }
                let tree = try repo.treeID(ofCommit: head)
                if let matchedTree, git_oid.same(matchedTree, tree) { return report(nil) }
                let paths = try repo.changedPaths(from: matchedTree, to: tree)
                try repo.checkout(target: tree, baseline: matchedTree, paths: paths)
                matchedTree = tree
                return report(nil)
            } catch {
                lastError = error
            }
        }
        report(lastError)
    }
}

extension WorkingTreeFollower {
    /// After a failed immediate checkout (typically `index.lock` held by the git CLI),
    /// retries every 50 ms for up to 2 s, from a thread of its own, bringing `paths` from
    /// `baseline` to whatever the branch head is by then (never to an older tree).
    static func repair(path: String, referenceName: String, baseline: git_oid?, paths: [String],
                       report: @escaping @Sendable (GitError?) -> Void) {
        let baselineID = baseline.map(ObjectID.init)
        let thread = Thread {
            var lastError: GitError?
            for _ in 0..<40 {
                Thread.sleep(forTimeInterval: 0.05)
                do {
                    let repo = try GitRepository(openAt: path)
                    guard let head = try repo.referenceTarget(referenceName) else { return }
                    try repo.checkout(target: try repo.treeID(ofCommit: head), baseline: baselineID?.oid, paths: paths)
                    return report(nil)
                } catch {
                    lastError = (error as Any as? GitError) ?? GitError(code: -1, message: "\(error)", operation: "repair working tree")
                }
            }
            report(lastError)
        }
        thread.name = "ConfigStore working tree repair"
        thread.start()
    }
}
