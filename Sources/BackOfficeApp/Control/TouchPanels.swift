import Synchronization

/// The touch panels connected now: control sockets opened with PlaceOS's `fixed_device=true`
/// (a panel fixed in a room, not a phone), each counted for every system it has bound. The
/// Metrics page sets the count per system against its `installed_ui_devices`.
public final class TouchPanels: Sendable {
    private struct State {
        var systems: [Int: Set<String>] = [:]
        var next = 1
    }

    private let state = Mutex(State())

    public init() {}

    /// A panel's socket opened; pass the token to `bound` and `closed`.
    func opened() -> Int {
        state.withLock { state in
            defer { state.next += 1 }
            state.systems[state.next] = []
            return state.next
        }
    }

    /// The panel bound something of `system`.
    func bound(_ panel: Int, system: String) {
        state.withLock { _ = $0.systems[panel]?.insert(system) }
    }

    func closed(_ panel: Int) {
        state.withLock { _ = $0.systems.removeValue(forKey: panel) }
    }

    /// How many panels are connected to each system (systems without one are absent).
    public func connected() -> [String: Int] {
        state.withLock { state in
            var counts: [String: Int] = [:]
            for systems in state.systems.values {
                for system in systems { counts[system, default: 0] += 1 }
            }
            return counts
        }
    }
}
