/// The clocks of a driver host (driver protocol §2), adjustable for tests.
public struct DriverHostTiming: Sendable {
    /// How often `info` is sent.
    public var livenessInterval: Double = 10
    /// How long `info` may go unanswered before the process is killed.
    public var livenessTimeout: Double = 5
    /// How long a new process may take to say `ready`.
    public var readyTimeout: Double = 15
    /// Exec timeout when the caller names none.
    public var execTimeout: Double = 10
    /// `start`, `update` and `stop` timeout.
    public var lifecycleTimeout: Double = 15
    /// First restart delay; doubles up to `maximumRestartDelay`.
    public var firstRestartDelay: Double = 0.5
    public var maximumRestartDelay: Double = 30
    /// A process up this long resets the restart delay.
    public var stableAfter: Double = 60
    /// How long `terminate` may take before SIGKILL.
    public var terminateGrace: Double = 5

    public init() {}
}
