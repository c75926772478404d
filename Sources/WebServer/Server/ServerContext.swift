import Synchronization

/// What every connection needs to know about the server: immutable while serving, apart from
/// the moment it starts to stop.
final class ServerContext: Sendable {
    let router: Router
    let limits: Limits
    let logger: Logger
    let errorPage: ErrorPage?
    /// Connections allowed per loop (the total limit split across loops).
    let maxConnectionsPerLoop: Int
    /// Set before the listener shuts, so a response written before its loop hears of the
    /// shutdown already says `Connection: close`.
    let stopping = Atomic<Bool>(false)

    init(router: Router, limits: Limits, logger: Logger, loopCount: Int, errorPage: ErrorPage? = nil) {
        self.router = router
        self.errorPage = errorPage
        self.limits = limits
        self.logger = logger
        self.maxConnectionsPerLoop = max(1, limits.maxConnections / max(1, loopCount))
    }
}
