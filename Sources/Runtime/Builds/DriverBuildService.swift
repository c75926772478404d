import ConfigRepo
import Foundation
import Synchronization

/// Builds driver binaries one at a time on a thread of its own and tells watchers about each
/// state change (queued → building → built / failed). Finished results come from the cache on
/// disk after a restart. Nothing here blocks a caller: `request` only enqueues.
public final class DriverBuildService: Sendable {
    public typealias Watcher = @Sendable (DriverBuildKey, DriverBuildState) -> Void

    private struct State {
        var states: [DriverBuildKey: DriverBuildState] = [:]
        var queue: [DriverBuildKey] = []
        var watchers: [Int: Watcher] = [:]
        var waiters: [DriverBuildKey: [CheckedContinuation<DriverBuildState, Never>]] = [:]
        var nextToken = 1
        var closed = false
    }

    private let toolchain: LazyToolchain
    private let builder: DriverBuilder
    private let cache: DriverBuildCache
    private let mirrors: @Sendable (String) throws -> GitMirror
    private let state = Mutex(State())
    private let wakeUp = DispatchSemaphore(value: 0)

    /// `buildsDirectory` holds the cache (`<state>/drivers`); `toolchain` is looked for the first
    /// time a Swift driver needs it (a deployment without one pays nothing at start); `mirrors`
    /// opens a repository's mirror by id on the build thread.
    public init(buildsDirectory: String, toolchain: @escaping @Sendable () -> Result<DriverKitToolchain, RuntimeError>,
                compileTimeLimit: Double = 300, mirrors: @escaping @Sendable (String) throws -> GitMirror) {
        cache = DriverBuildCache(root: buildsDirectory + "/builds")
        cache.removeTemporaries()
        let lazy = LazyToolchain(find: toolchain)
        self.toolchain = lazy
        var builder = DriverBuilder(cache: cache, library: {
            lazy.value.map { DriverKitLibrary(toolchain: $0, root: buildsDirectory + "/driverkit") }
        })
        builder.compileTimeLimit = compileTimeLimit
        self.builder = builder
        self.mirrors = mirrors
        let thread = Thread { [weak self] in self?.work() }
        thread.name = "driver builds"
        thread.start()
    }

    /// Stops the build thread and kills the build in progress (no compiler outlives the server).
    public func close() {
        state.withLock { $0.closed = true }
        wakeUp.signal()
        builder.commands.killAll()
    }

    /// The DriverKit version Swift drivers are built against, or nil when they cannot be built
    /// here (`toolchainProblem` says why).
    public var driverKitVersion: String? { try? toolchain.value.get().version }
    public var toolchainProblem: String? {
        if case .failure(let error) = toolchain.value { return error.message }
        return nil
    }

    /// The key of `file` at `commit`: Swift files are built against this DriverKit, other
    /// files run as they are.
    public func key(repositoryID: String, file: String, commit: ObjectID) -> DriverBuildKey {
        DriverBuildKey(repositoryID: repositoryID, file: file, commit: commit,
                       driverKitVersion: file.hasSuffix(".swift") ? (driverKitVersion ?? "unavailable") : "exec")
    }

    /// The state of `key`, from memory or the cache on disk; nil when it was never built.
    public func state(of key: DriverBuildKey) -> DriverBuildState? {
        if let known = state.withLock({ $0.states[key] }) { return known }
        guard let cached = cache.result(for: key) else { return nil }
        return state.withLock { state in
            if let known = state.states[key] { return known }
            state.states[key] = cached
            return cached
        }
    }

    /// The state of `key`, queueing a build when it has none.
    @discardableResult
    public func request(_ key: DriverBuildKey) -> DriverBuildState {
        if let known = state(of: key) { return known }
        let queued: Bool = state.withLock { state in
            guard state.states[key] == nil else { return false }
            state.states[key] = .queued
            state.queue.append(key)
            return true
        }
        if queued {
            notify(key, .queued)
            wakeUp.signal()
        }
        return state.withLock { $0.states[key] } ?? .queued
    }

    /// Builds `key` again (PlaceOS `recompile`), unless it is queued or building now.
    @discardableResult
    public func rebuild(_ key: DriverBuildKey) -> DriverBuildState {
        let finished = state.withLock { state -> Bool in
            guard state.states[key]?.isFinished ?? true else { return false }
            state.states[key] = nil
            return true
        }
        if finished { cache.remove(key) }
        return request(key)
    }

    /// Waits (without blocking a thread) until `key` is built or failed, queueing it if needed.
    public func finished(_ key: DriverBuildKey) async -> DriverBuildState {
        let current = request(key)
        if current.isFinished { return current }
        return await withCheckedContinuation { continuation in
            let now: DriverBuildState? = state.withLock { state in
                if let known = state.states[key], known.isFinished { return known }
                state.waiters[key, default: []].append(continuation)
                return nil
            }
            if let now { continuation.resume(returning: now) }
        }
    }

    /// Calls `watcher` on every state change of every build. Returns a token for `unwatch`.
    public func watch(_ watcher: @escaping Watcher) -> Int {
        state.withLock { state in
            defer { state.nextToken += 1 }
            state.watchers[state.nextToken] = watcher
            return state.nextToken
        }
    }

    public func unwatch(_ token: Int) { _ = state.withLock { $0.watchers.removeValue(forKey: token) } }

    private func notify(_ key: DriverBuildKey, _ new: DriverBuildState) {
        let (watchers, waiters) = state.withLock { state in
            (Array(state.watchers.values), new.isFinished ? (state.waiters.removeValue(forKey: key) ?? []) : [])
        }
        for watcher in watchers { watcher(key, new) }
        for waiter in waiters { waiter.resume(returning: new) }
    }

    private func work() {
        while true {
            wakeUp.wait()
            while let key = state.withLock({ state -> DriverBuildKey? in
                guard !state.closed, !state.queue.isEmpty else { return nil }
                let key = state.queue.removeFirst()
                state.states[key] = .building
                return key
            }) {
                notify(key, .building)
                let result: DriverBuildState
                do {
                    result = builder.build(key, mirror: try mirrors(key.repositoryID))
                } catch {
                    result = .failed(DriverBuildFailure(key: key, message: "cannot open repository \(key.repositoryID): \(error)",
                                                        output: "", diagnostics: []))
                }
                state.withLock { $0.states[key] = result }
                notify(key, result)
            }
            if state.withLock({ $0.closed }) { return }
        }
    }
}

/// The toolchain, found once on first use.
private final class LazyToolchain: Sendable {
    private let find: @Sendable () -> Result<DriverKitToolchain, RuntimeError>
    private let found = Mutex<Result<DriverKitToolchain, RuntimeError>?>(nil)

    init(find: @escaping @Sendable () -> Result<DriverKitToolchain, RuntimeError>) { self.find = find }

    var value: Result<DriverKitToolchain, RuntimeError> {
        found.withLock { found in
            if let found { return found }
            let result = find()
            found = result
            return result
        }
    }
}
