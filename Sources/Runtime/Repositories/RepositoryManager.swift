import ConfigRepo
import Dispatch
import Foundation
import Synchronization

/// Keeps a bare copy (`GitMirror`) of every git repository of the configuration under
/// `<state>/repositories/<id>.git`: fetched when first seen, on `pull`, and on a poll. Each fetch
/// runs on a thread of its own (one at a time per repository; a pull during a fetch fetches
/// again after it), so no caller waits on the network. Watchers see every status change.
public final class RepositoryManager: Sendable {
    public typealias Watcher = @Sendable (RepositoryStatus) -> Void

    private struct Entry {
        var source: RepositorySource
        var status: RepositoryStatus
        /// A pull arrived while fetching: fetch again when this one ends.
        var again = false
        var waiters: [CheckedContinuation<RepositoryStatus, Never>] = []
    }

    private struct State {
        var entries: [String: Entry] = [:]
        var watchers: [Int: Watcher] = [:]
        var nextToken = 1
        var closed = false
    }

    /// `<state>/repositories`.
    public let directory: String
    /// A fetch running longer is cancelled (a server that stalls mid-transfer).
    public let fetchTimeLimit: Double
    private let state = Mutex(State())
    nonisolated(unsafe) private var pollTimer: (any DispatchSourceTimer)?
    private let pollLock = Mutex(())

    public init(directory: String, fetchTimeLimit: Double = 300) {
        self.directory = directory
        self.fetchTimeLimit = fetchTimeLimit
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    deinit { pollTimer?.cancel() }

    /// The repositories to keep: new ones are fetched at once, one whose uri, branch or
    /// credentials changed is fetched again, removed ones are forgotten (their copy stays on
    /// disk until the state directory is cleaned).
    public func sync(_ sources: [RepositorySource]) {
        var toFetch: [String] = []
        var forgotten: [Entry] = []
        state.withLock { state in
            let wanted = Dictionary(sources.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            for id in state.entries.keys where wanted[id] == nil { forgotten.append(state.entries.removeValue(forKey: id)!) }
            for (id, source) in wanted {
                if var entry = state.entries[id] {
                    guard entry.source != source else { continue }
                    let refetch = entry.source.uri != source.uri || entry.source.branch != source.branch
                        || entry.source.credentials != source.credentials
                    entry.source = source
                    state.entries[id] = entry
                    if refetch { toFetch.append(id) }
                } else {
                    state.entries[id] = Entry(source: source, status: RepositoryStatus(id: id))
                    toFetch.append(id)
                }
            }
        }
        // Whoever waits for a fetch of a removed repository gets its last status.
        for entry in forgotten { for waiter in entry.waiters { waiter.resume(returning: entry.status) } }
        for id in toFetch { pull(id) }
    }

    public func source(_ id: String) -> RepositorySource? { state.withLock { $0.entries[id]?.source } }
    public func status(_ id: String) -> RepositoryStatus? { state.withLock { $0.entries[id]?.status } }
    public var statuses: [RepositoryStatus] { state.withLock { $0.entries.values.map(\.status) }.sorted { $0.id < $1.id } }

    /// Starts a fetch of `id` (or one more after the running one). False for an unknown id.
    @discardableResult
    public func pull(_ id: String) -> Bool {
        let start: RepositorySource?? = state.withLock { state in
            guard !state.closed, var entry = state.entries[id] else { return .none }
            if entry.status.fetching {
                entry.again = true
                state.entries[id] = entry
                return .some(nil)
            }
            entry.status.fetching = true
            entry.status.progress = GitFetchProgress()
            state.entries[id] = entry
            return .some(entry.source)
        }
        guard let start else { return false }
        if let source = start {
            notify(id)
            Thread.detachNewThread { [self] in fetch(source) }
        }
        return true
    }

    /// Fetches `id` and waits (without holding a thread) for that fetch to end; nil for an
    /// unknown id.
    public func pulled(_ id: String) async -> RepositoryStatus? {
        guard state.withLock({ $0.entries[id] != nil }) else { return nil }
        return await withCheckedContinuation { continuation in
            let registered = state.withLock { state -> Bool in
                guard state.entries[id] != nil else { return false }
                state.entries[id]!.waiters.append(continuation)
                return true
            }
            guard registered else { return continuation.resume(returning: RepositoryStatus(id: id)) }
            pull(id)
        }
    }

    /// Fetches every repository every `seconds` (0 stops polling).
    public func poll(every seconds: Double) {
        pollLock.withLock { _ in
            pollTimer?.cancel()
            pollTimer = nil
            guard seconds > 0 else { return }
            let timer = DispatchSource.makeTimerSource(queue: .global())
            timer.schedule(deadline: .now() + seconds, repeating: seconds)
            timer.setEventHandler { [weak self] in
                guard let self else { return }
                for id in self.state.withLock({ Array($0.entries.keys) }) { self.pull(id) }
            }
            timer.resume()
            pollTimer = timer
        }
    }

    /// Opens the copy of `id` for the calling thread (libgit2 objects stay on one thread).
    public func mirror(_ id: String) throws -> GitMirror {
        guard let source = source(id) else {
            throw RuntimeError(code: "unknown_repository", message: "repository \(id) is not a git repository of the configuration")
        }
        return try GitMirror.openOrCreate(at: path(of: id), url: source.uri)
    }

    /// Stops polling; running fetches are cancelled at their next progress report.
    public func close() {
        poll(every: 0)
        state.withLock { $0.closed = true }
    }

    public func watch(_ watcher: @escaping Watcher) -> Int {
        state.withLock { state in
            defer { state.nextToken += 1 }
            state.watchers[state.nextToken] = watcher
            return state.nextToken
        }
    }

    public func unwatch(_ token: Int) { _ = state.withLock { $0.watchers.removeValue(forKey: token) } }

    func path(of id: String) -> String { directory + "/" + id + ".git" }

    // MARK: - Fetching

    private func fetch(_ source: RepositorySource) {
        let started = Date()
        var lastReport = started
        var outcome = RepositoryStatus(id: source.id)
        do {
            let mirror = try GitMirror.openOrCreate(at: path(of: source.id), url: source.uri)
            try mirror.fetch(url: source.uri, credentials: source.credentials) { [self] progress in
                let now = Date()
                if now.timeIntervalSince(lastReport) >= 0.5 {
                    lastReport = now
                    state.withLock { $0.entries[source.id]?.status.progress = progress }
                    notify(source.id)
                }
                return !state.withLock({ $0.closed }) && now.timeIntervalSince(started) < fetchTimeLimit
            }
            let branch = source.branch ?? mirror.defaultBranch()
            outcome.branch = branch
            if let branch {
                outcome.head = try mirror.head(ofBranch: branch)
                if outcome.head == nil {
                    let known = (try? mirror.branches()) ?? []
                    outcome.error = "branch \"\(branch)\" does not exist in \(source.displayURI)"
                        + (known.isEmpty ? " (it has no branches)" : " (branches: \(known.joined(separator: ", ")))")
                }
            } else {
                outcome.error = "\(source.displayURI) has no branches yet"
            }
        } catch {
            outcome.error = error.message == "cancelled" && Date().timeIntervalSince(started) >= fetchTimeLimit
                ? "the fetch took longer than \(Int(fetchTimeLimit)) s and was stopped"
                : source.redacted("cannot fetch \(source.displayURI): \(error.message)")
        }
        let (again, waiters) = state.withLock { state -> (Bool, [CheckedContinuation<RepositoryStatus, Never>]) in
            guard var entry = state.entries[source.id] else { return (false, []) }
            entry.status.fetching = false
            entry.status.progress = nil
            entry.status.lastFetch = Date()
            entry.status.fetchCount += 1
            entry.status.error = outcome.error
            entry.status.branch = outcome.branch ?? entry.status.branch
            if outcome.error == nil { entry.status.lastSuccess = entry.status.lastFetch }
            if outcome.error == nil || outcome.head != nil { entry.status.head = outcome.head }
            let again = entry.again && !state.closed
            entry.again = false
            let waiters = again ? [] : entry.waiters
            if !again { entry.waiters = [] }
            state.entries[source.id] = entry
            return (again, waiters)
        }
        notify(source.id)
        if let status = status(source.id) { for waiter in waiters { waiter.resume(returning: status) } }
        if again { pull(source.id) }
    }

    private func notify(_ id: String) {
        let (watchers, status) = state.withLock { state in (Array(state.watchers.values), state.entries[id]?.status) }
        guard let status else { return }
        for watcher in watchers { watcher(status) }
    }
}
