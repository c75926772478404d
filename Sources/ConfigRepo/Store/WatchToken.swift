import Foundation

/// Keeps a ``ConfigStore/watch(interval:_:)`` subscription alive until ``cancel()``.
public final class WatchToken: @unchecked Sendable {
    // @unchecked: the one mutable flag is read and written only with `lock` held.
    private let lock = NSLock()
    private var cancelled = false

    init() {}

    /// Stops the watcher: no handler call starts after this returns (one already running
    /// finishes).
    public func cancel() {
        lock.lock()
        cancelled = true
        lock.unlock()
    }

    /// Whether ``cancel()`` was called.
    public var isCancelled: Bool {
        lock.lock()
        defer { lock.unlock() }
        return cancelled
    }
}
