/// Many simulators in one process, e.g. every device port of the sample building.
public final class SimulatorFleet: Sendable {
    public struct Entry: Sendable, Hashable {
        public let kind: SimulatorKind
        public let port: Int
        public init(_ kind: SimulatorKind, port: Int) {
            self.kind = kind
            self.port = port
        }
    }

    public let simulators: [any DeviceSimulator]

    /// Starts one simulator per entry; if any port cannot be bound the ones started are stopped
    /// and the error names the port.
    public init(_ entries: [Entry], host: String = "127.0.0.1") throws {
        var started: [any DeviceSimulator] = []
        for entry in entries {
            do {
                started.append(try entry.kind.start(host: host, port: entry.port))
            } catch {
                for simulator in started { simulator.stop() }
                throw SimulatorError("\(entry.kind.rawValue) simulator on port \(entry.port): \(error)")
            }
        }
        simulators = started
    }

    /// The simulator on `port`, if the fleet has one.
    public func simulator(port: Int) -> (any DeviceSimulator)? { simulators.first { $0.port == port } }

    public func stop() { for simulator in simulators { simulator.stop() } }
}
