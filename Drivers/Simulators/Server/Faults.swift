import Synchronization

/// Faults injected through the control port (`POST /faults`): every reply delayed, device
/// errors instead of answers, no answers at all. Dropping connections is an action, not a state.
public final class Faults: Sendable {
    public struct Settings: Sendable, Equatable {
        /// Each reply waits this long first.
        public var delayMilliseconds = 0
        /// The device answers with its protocol's error instead of the real answer.
        public var error = false
        /// The device reads requests and never answers.
        public var silent = false
        public init() {}
    }

    private let state = Mutex(Settings())

    public init() {}

    public var current: Settings { state.withLock { $0 } }

    public func set(_ settings: Settings) { state.withLock { $0 = settings } }

    public var json: String {
        let s = current
        return "{\"delay_ms\":\(s.delayMilliseconds),\"error\":\(s.error),\"silent\":\(s.silent)}"
    }
}
