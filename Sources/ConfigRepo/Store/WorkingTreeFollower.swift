import CGit2
import Foundation

/// When the working tree catches up with a commit made through the store.
public enum WorkingTreeUpdate: Sendable {
    /// Inside `commit`, before it returns: `git status` is clean when it returns. Costs an
    /// index write per commit (≈50 ms with 60,000 files).
    case immediate
    /// On a background queue shortly after the commit (within ``WorkingTreeFollower/coalescingDelay``),
    /// a burst of commits coalescing into one checkout. Writers do not wait;
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

    /// How long a requested catch-up waits for more commits. A catch-up reopens the index
    /// (62,000 entries in the benchmark's repository) and rewrites it: ~13 ms of CPU, which
    /// dominated a form commit when every commit paid for its own.
    static let coalescingDelay = DispatchTimeInterval.milliseconds(100)

    /// Asks for a catch-up; several requests before it runs make one.
    func schedule() {
        lock.lock()
        let start = !scheduled
        scheduled = true
        lock.unlock()
        guard start else { return }
        queue.asyncAfter(deadline: .now() + Self.coalescingDelay) { self.catchUpIfScheduled() }
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
        if due { catchUp() }
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
