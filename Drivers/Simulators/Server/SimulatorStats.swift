import Synchronization

/// Counters a simulator's control port reports (`GET /stats`).
public final class SimulatorStats: Sendable {
    private struct Counts { var accepted = 0, open = 0, requests = 0 }
    private let counts = Mutex(Counts())

    public init() {}

    public var connectionsAccepted: Int { counts.withLock { $0.accepted } }
    public var connectionsOpen: Int { counts.withLock { $0.open } }
    public var requests: Int { counts.withLock { $0.requests } }

    func opened() { counts.withLock { $0.accepted += 1; $0.open += 1 } }
    func closed() { counts.withLock { $0.open -= 1 } }
    func request() { counts.withLock { $0.requests += 1 } }

    /// The `/stats` body.
    public var json: String {
        counts.withLock { "{\"connections_accepted\":\($0.accepted),\"connections_open\":\($0.open),\"requests\":\($0.requests)}" }
    }
}
