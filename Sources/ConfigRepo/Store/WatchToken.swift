import Synchronization

/// Keeps a ``ConfigStore/watch(interval:_:)`` subscription alive until ``cancel()``.
public final class WatchToken: Sendable {
    private let cancelled = Mutex(false)

    init() {}

    /// Stops the watcher: no handler call starts after this returns (one already running
    /// finishes).
    public func cancel() {
        cancelled.withLock { $0 = true }
    }

    /// Whether ``cancel()`` was called.
    public var isCancelled: Bool {
        cancelled.withLock { $0 }
    }
}
