import Foundation
import Synchronization

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

/// The last failure to bring the working tree up to date, shared by the store and whoever
/// updates the working tree for it.
final class WorkingTreeErrorSlot: Sendable {
    private let value = Mutex<GitError?>(nil)

    var error: GitError? {
        get { value.withLock { $0 } }
        set { value.withLock { $0 = newValue } }
    }
}

/// Brings the working tree from the tree it last matched to the branch head, on its own
/// serial queue, through a libgit2 handle opened for each run (so it sees the packs as they
/// are then).
final class WorkingTreeFollower: Sendable {
    private let queue = DispatchQueue(label: "ConfigStore working tree")
    private let path: String
    private let referenceName: String
    private let objects: ObjectDatabase
    private let references: ReferenceFiles
    private let errors: WorkingTreeErrorSlot
    private let state: Mutex<State>

    private struct State {
        var scheduled = false
        /// The tree the working tree matches (only the queue changes it).
        var matchedTree: ObjectID?
        var lastCatchUpSeconds = 0.0
    }

    init(path: String, referenceName: String, objects: ObjectDatabase, references: ReferenceFiles, matchedTree: ObjectID?,
         errors: WorkingTreeErrorSlot) {
        self.path = path
        self.referenceName = referenceName
        self.objects = objects
        self.references = references
        self.errors = errors
        state = Mutex(State(matchedTree: matchedTree))
    }

    /// How long a requested catch-up waits for more commits: at least 100 ms, and ten times
    /// what the last catch-up took. A catch-up reads and rewrites the index (62,000 entries in
    /// the benchmark's repository, 25–40 ms of CPU), so under a stream of commits the follower
    /// takes a tenth of a core at most (at four times it took a fifth of the whole process's
    /// CPU in `perf`) and the working tree lags a burst by about a third of a second.
    private var coalescingDelay: Double {
        state.withLock { max(0.1, 10 * $0.lastCatchUpSeconds) }
    }

    /// Asks for a catch-up; several requests before it runs make one.
    func schedule() {
        let start = state.withLock { state in
            defer { state.scheduled = true }
            return !state.scheduled
        }
        guard start else { return }
        queue.asyncAfter(deadline: .now() + coalescingDelay) { self.catchUpIfScheduled() }
    }

    /// Returns once every catch-up requested before the call has run (running it now rather
    /// than after the coalescing delay).
    func wait() {
        queue.sync { catchUpIfScheduled() }
    }

    private func catchUpIfScheduled() {
        let due = state.withLock { state in
            defer { state.scheduled = false }
            return state.scheduled
        }
        guard due else { return }
        let start = DispatchTime.now().uptimeNanoseconds
        catchUp()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        state.withLock { $0.lastCatchUpSeconds = seconds }
    }

    private func catchUp() {
        var lastError: GitError?
        for attempt in 0..<20 {
            if attempt > 0 { Thread.sleep(forTimeInterval: 0.05) }  // index.lock held …
            do {
                guard let head = try references.target(of: referenceName) else { return }
                let tree = try objects.treeID(ofCommit: head)
                let matched = state.withLock { $0.matchedTree }
                if matched == tree {
                    errors.error = nil
                    return
                }
                let paths = try objects.changedPaths(from: matched, to: tree)
                try GitRepository(openAt: path).checkout(target: tree, baseline: matched, paths: paths)
                state.withLock { $0.matchedTree = tree }
                errors.error = nil
                return
            } catch {
                lastError = error
            }
        }
        errors.error = lastError
    }
}

extension WorkingTreeFollower {
    /// After a failed immediate checkout (typically `index.lock` held by the git CLI),
    /// retries every 50 ms for up to 2 s, from a thread of its own, bringing `paths` from
    /// `baseline` to whatever the branch head is by then (never to an older tree).
    static func repair(path: String, referenceName: String, objects: ObjectDatabase, references: ReferenceFiles,
                       baseline: ObjectID?, paths: [String], errors: WorkingTreeErrorSlot) {
        let thread = Thread {
            var lastError: GitError?
            for _ in 0..<40 {
                Thread.sleep(forTimeInterval: 0.05)
                do throws(GitError) {
                    guard let head = try references.target(of: referenceName) else { return }
                    try GitRepository(openAt: path).checkout(target: try objects.treeID(ofCommit: head), baseline: baseline, paths: paths)
                    errors.error = nil
                    return
                } catch {
                    lastError = error
                }
            }
            errors.error = lastError
        }
        thread.name = "ConfigStore working tree repair"
        thread.start()
    }
}
