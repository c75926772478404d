/// The wait before each reconnect attempt: `initial`, doubling per failure, capped at `maximum`;
/// a connection the broker accepted starts again from `initial`.
struct ReconnectBackoff {
    let initial: Duration
    let maximum: Duration
    private(set) var failures = 0

    init(initial: Duration, maximum: Duration) {
        self.initial = initial
        self.maximum = maximum
    }

    mutating func nextDelay() -> Duration {
        let delay = initial * (1 << min(failures, 30))
        failures += 1
        return min(delay, maximum)
    }

    mutating func reset() { failures = 0 }
}
