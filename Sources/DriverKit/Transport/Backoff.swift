/// Exponential back-off between reconnect attempts: `initial`, doubling, capped at `maximum`;
/// a successful connection starts again from `initial`.
public struct Backoff: Sendable, Equatable {
    public var initial: Duration
    public var maximum: Duration
    public private(set) var failures = 0

    public init(initial: Duration = .milliseconds(500), maximum: Duration = .seconds(30)) {
        self.initial = initial
        self.maximum = maximum
    }

    /// The wait before the next attempt, counting one more failure.
    public mutating func nextDelay() -> Duration {
        let exponent = min(failures, 30)
        failures += 1
        let delay = initial * (1 << exponent)
        return min(delay, maximum)
    }

    public mutating func reset() { failures = 0 }
}
