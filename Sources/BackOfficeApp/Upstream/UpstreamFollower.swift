import ConfigRepo
import Dispatch
import Foundation
import Runtime
import Synchronization

/// Follows the configuration's upstream branch (docs/git-workflows.md): fetches it at start,
/// every `pollSeconds` and whenever ``requestSync()`` is called (a verified webhook), and takes
/// each new upstream head only through the gate:
///
/// - a head that descends from our branch head and validates is fast-forwarded to; the
///   runtime's own watcher then applies it, as it would a push;
/// - an invalid head is not taken: the runtime records it as its invalid head (its
///   metrics and log), the site shows a banner with its commit, author and problems, and the
///   runtime keeps the last good commit;
/// - a head that does not contain the last upstream commit taken (the upstream rewrote its
///   history: a force push), or that neither descends from our head nor is contained in it,
///   is refused with a banner; nothing moves until the upstream is fixed.
///
/// The deployment's own commits (forms, REST, revert, driver `setting` writes) are pushed to
/// the upstream branch, in order, after each new local head (a watcher of the branch) and
/// after each fetch that finds the upstream behind us. A push is never forced: when the
/// upstream moved meanwhile it is refused and the follower fetches again; our waiting commits
/// are then replayed on the upstream's new head (``rebase(_:since:onto:)``: each through the
/// gate, authors and messages kept) and pushed, unless one of them changed an object the
/// upstream changed too: then it stays here, named in a banner, until an admin resolves it.
/// While the upstream cannot be reached the commits wait here, counted in the status and a
/// banner, and the push is retried every few seconds.
///
/// One thread does every fetch and push, in order, with its own libgit2 handle.
public final class UpstreamFollower: Sendable {
    public let settings: UpstreamSettings
    let repository: ConfigRepository
    let runtime: RuntimeEngine?
    /// Where the last upstream commit taken is remembered across restarts.
    let syncedFile: String
    let log: @Sendable (String) -> Void
    private let state: Mutex<UpstreamStatus>
    private let wake = DispatchSemaphore(value: 0)
    private let stopped = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)
    private let noticeWatchers = Mutex<[@Sendable (UpstreamStatus) -> Void]>([])
    private let syncCount = Atomic<Int>(0)
    private let headWatch = Mutex<WatchToken?>(nil)
    /// How soon a failed push of waiting commits is tried again.
    static let pushRetrySeconds = 2.0

    public init(settings: UpstreamSettings, repository: ConfigRepository, runtime: RuntimeEngine?, stateDirectory: String,
                log: @escaping @Sendable (String) -> Void = { _ in }) {
        self.settings = settings
        self.repository = repository
        self.runtime = runtime
        self.log = log
        syncedFile = stateDirectory + "/upstream-synced"
        var status = UpstreamStatus(url: settings.url, branch: settings.branch)
        if let text = try? String(contentsOfFile: syncedFile, encoding: .utf8) {
            status.synced = ObjectID(hex: text.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        state = Mutex(status)
    }

    public var status: UpstreamStatus { state.withLock { $0 } }

    /// How many syncs have finished (for tests and benchmarks that wait for one).
    public var completedSyncs: Int { syncCount.load(ordering: .acquiring) }

    /// Called after every sync with the new status (the site's banner).
    public func onChange(_ watcher: @escaping @Sendable (UpstreamStatus) -> Void) {
        noticeWatchers.withLock { $0.append(watcher) }
    }

    /// Starts the fetching thread; the first fetch happens at once.
    public func start() {
        let thread = Thread { [self] in run() }
        thread.name = "upstream"
        thread.start()
        wake.signal()
        // A new local head (a form, REST, a revert, a driver's setting) is pushed at once.
        headWatch.withLock { $0 = repository.store.watch(interval: .milliseconds(50)) { [weak self] _, _, _ in self?.requestSync() } }
    }

    /// Asks for a fetch now (a webhook arrived). Requests made during a fetch make one more.
    public func requestSync() {
        wake.signal()
    }

    public func stop() {
        headWatch.withLock { $0 = nil }
        stopped.store(true, ordering: .releasing)
        wake.signal()
        _ = finished.wait(timeout: .now() + 10)
    }

    private func run() {
        defer { finished.signal() }
        var upstream: GitUpstream?
        while !stopped.load(ordering: .acquiring) {
            var seconds = settings.pollSeconds > 0 ? settings.pollSeconds : Double.infinity
            // Commits waiting for an upstream that could not be reached: try again soon.
            if status.ahead > 0, status.lastError != nil { seconds = min(seconds, Self.pushRetrySeconds) }
            let timeout: DispatchTime = seconds.isFinite ? .now() + seconds : .distantFuture
            _ = wake.wait(timeout: timeout)
            if stopped.load(ordering: .acquiring) { return }
            // Requests that queued up while we slept are one fetch.
            while wake.wait(timeout: .now()) == .success {}
            do {
                if upstream == nil { upstream = try GitUpstream(repositoryPath: repository.store.path) }
                try sync(upstream!)
            } catch {
                record { $0.lastError = "\(error)" }
                log("upstream: \(error)")
            }
            syncCount.add(1, ordering: .releasing)
            let status = self.status
            for watcher in noticeWatchers.withLock({ $0 }) { watcher(status) }
        }
    }

    private func record(_ change: (inout UpstreamStatus) -> Void) {
        state.withLock { change(&$0) }
    }

    /// One fetch and what follows from it.
    func sync(_ upstream: GitUpstream) throws {
        let fetched: ObjectID?
        do {
            fetched = try upstream.fetch(url: settings.url, branch: settings.branch, credentials: settings.credentials)
        } catch {
            // Our commits since the last known upstream head wait; say how many.
            if let local = repository.store.head(), let known = status.synced ?? (try? upstream.head(ofBranch: settings.branch)) ?? nil,
               let counts = try? upstream.aheadBehind(local: local, upstream: known) {
                record { $0.ahead = counts.ahead }
            }
            record { $0.lastError = "fetch failed: \(error.message)" }
            log("upstream: fetch of \(settings.branch) from \(settings.url) failed: \(error.message)")
            return
        }
        record {
            $0.lastFetch = Date()
            $0.lastError = nil
            $0.upstreamHead = fetched
        }
        guard let head = fetched else {
            record { $0.lastError = "the upstream has no branch \"\(settings.branch)\"" }
            return
        }
        // A local commit may land between reading our head and moving it: then decide again.
        for _ in 0..<5 {
            let local = repository.store.head()
            if let local {
                let counts = try upstream.aheadBehind(local: local, upstream: head)
                record {
                    $0.ahead = counts.ahead
                    $0.behind = counts.behind
                }
            }
            if let synced = status.synced, try !upstream.contains(synced, in: head) {
                refuse(head, reason: "the upstream branch was rewritten (force push): it no longer contains \(synced.short), "
                    + "the last upstream commit this deployment took; nothing is applied until the upstream holds it again")
                return
            }
            guard let local, local != head else { return taken(head) }
            if try upstream.contains(head, in: local) {
                // We are ahead: our commits go up, in order, as one non-forced push of our head.
                taken(head)
                return try push(local, onto: head, upstream)
            }
            guard try upstream.contains(local, in: head) else {
                // Our waiting commits and the upstream's new ones: replay ours on top of theirs.
                if let synced = status.synced, try upstream.contains(synced, in: local) {
                    switch try rebase(local, since: synced, onto: head) {
                    case .moved: continue
                    case .refused: return
                    }
                }
                let waiting = status.ahead
                refuse(head, reason: waiting > 0
                    ? "the upstream moved on while \(waiting) commit\(waiting == 1 ? "" : "s") of this deployment waited to be pushed; "
                        + "they stay here, nothing is overwritten: merge the deployment's branch into the upstream"
                    : "the upstream head does not descend from \(local.short), the commit this deployment runs; "
                        + "merge the deployment's branch into the upstream (or reset the upstream to it)")
                return
            }
            let snapshot = try repository.snapshot(at: head.hex)
            let problems = Validator(snapshot: snapshot).validateAll().sorted()
            guard problems.isEmpty else {
                // The runtime's own record of a refused head: its log line, metric and invalid head.
                runtime?.receive(snapshot)
                refuse(head, reason: "it does not pass validation; the runtime keeps running \(local.short)", problems: problems)
                return
            }
            if try repository.store.fastForward(to: head, from: local) {
                log("upstream: applied \(head.short) (fast-forward from \(local.short))")
                return taken(head)
            }
        }
        record { $0.lastError = "our branch kept moving while the upstream head was taken; trying again at the next fetch" }
    }

    /// Pushes our head `local`, a descendant of the upstream's `head`.
    private func push(_ local: ObjectID, onto head: ObjectID, _ upstream: GitUpstream) throws {
        let waiting = status.ahead
        let outcome: GitUpstream.PushOutcome
        do {
            outcome = try upstream.push(local, url: settings.url, branch: settings.branch, credentials: settings.credentials)
        } catch {
            record { $0.lastError = "push failed: \(error.message); \($0.ahead) commit\($0.ahead == 1 ? "" : "s") waiting" }
            log("upstream: push of \(local.short) failed (\(waiting) waiting): \(error.message)")
            return
        }
        switch outcome {
        case .pushed:
            record {
                $0.upstreamHead = local
                $0.ahead = 0
                $0.lastError = nil
            }
            taken(local)
            log("upstream: pushed \(waiting) commit\(waiting == 1 ? "" : "s") up to \(local.short)")
        case .rejected(let reason):
            // The upstream moved since the fetch: fetch again (the next round decides).
            record { $0.lastError = "push refused (\(reason)); fetching the upstream again" }
            requestSync()
        }
    }

    private func taken(_ head: ObjectID) {
        record {
            $0.synced = head
            $0.refusal = nil
            $0.behind = 0
        }
        try? (head.hex + "\n").write(toFile: syncedFile, atomically: true, encoding: .utf8)
    }

    func refuse(_ head: ObjectID, reason: String, problems: [ValidationProblem] = []) {
        let info = try? repository.store.commitInfo(head)
        let refusal = UpstreamStatus.Refusal(commit: head, author: info.map { "\($0.author.name) <\($0.author.email)>" } ?? "unknown",
                                             subject: info?.subject ?? "", reason: reason, problems: problems)
        let known = state.withLock { state in
            defer { state.refusal = refusal }
            return state.refusal == refusal
        }
        if !known { log("upstream: refused \(head.short) by \(refusal.author): \(reason)") }
    }
}
