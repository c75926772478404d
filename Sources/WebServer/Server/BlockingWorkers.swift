#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Synchronization

/// Threads of their own for work that blocks — libgit2 commits and reads, fsynced state files,
/// page renders, password hashing — so it never holds one of Swift's cooperative threads (two on
/// a two-core machine) while WebSocket sessions and other async handlers wait for one. A route
/// added with `blocking:` runs here; the request's task suspends until it is done.
///
/// The threads start on first use and live as long as the process.
public final class BlockingWorkers: Sendable {
    /// The server's workers: twice the cores, at least four (a commit waits on the disk, a render
    /// on the CPU; more than that and they only take turns).
    public static let shared = BlockingWorkers(threads: max(4, 2 * Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))))

    private typealias Job = @Sendable () -> Void
    private struct State {
        var jobs: [Job] = []
        var next = 0
        var started = false
    }

    private let threads: Int
    private let state = Mutex(State())
    private let available = DispatchSemaphore(value: 0)

    /// Workers with `threads` threads.
    public init(threads: Int) {
        self.threads = max(1, threads)
    }

    /// Runs `work` on a worker thread and returns (or throws) what it did.
    public func run<Value: Sendable>(_ work: @escaping @Sendable () throws -> Value) async throws -> Value {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Value, Error>) in
            submit { continuation.resume(with: Result { try work() }) }
        }
    }

    /// Runs `work` on a worker thread without waiting for it (a background re-render).
    public func execute(_ work: @escaping @Sendable () -> Void) {
        submit(work)
    }

    private func submit(_ job: @escaping Job) {
        let startThreads = state.withLock { state -> Bool in
            state.jobs.append(job)
            defer { state.started = true }
            return !state.started
        }
        if startThreads {
            for _ in 0..<threads { startThread { [self] in work() } }
        }
        available.signal()
    }

    private func work() {
        while true {
            available.wait()
            let job = state.withLock { state -> Job? in
                guard state.next < state.jobs.count else { return nil }
                let job = state.jobs[state.next]
                state.next += 1
                // Drop the done part of the queue now and then, not on every job.
                if state.next > 64 && state.next * 2 > state.jobs.count {
                    state.jobs.removeFirst(state.next)
                    state.next = 0
                }
                return job
            }
            job?()
        }
    }
}
