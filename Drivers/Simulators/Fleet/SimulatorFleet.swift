/// Many simulators in one process, e.g. every device port of the sample building.
public final class SimulatorFleet: Sendable {
    public struct Entry: Sendable, Hashable {
        public let kind: SimulatorKind
        public let port: Int
        /// For MQTT sensors: the topics the modules read (their simulator publishes there).
        public let topics: [String]
        public init(_ kind: SimulatorKind, port: Int, topics: [String] = []) {
            self.kind = kind
            self.port = port
            self.topics = topics
        }
    }

    /// A module as far as simulators care: its driver file and where it connects.
    public struct ModuleEndpoint: Sendable {
        public let driverFile: String
        public let ip: String?
        public let port: Int?
        public let uri: String?
        /// MQTT topics the module reads (an MQTT sensor's `statuses.*.topic`, without wildcards).
        public let topics: [String]
        public init(driverFile: String, ip: String?, port: Int?, uri: String?, topics: [String] = []) {
            self.driverFile = driverFile
            self.ip = ip
            self.port = port
            self.uri = uri
            self.topics = topics
        }
    }

    public let simulators: [any DeviceSimulator]

    /// The simulators a set of modules needs: one per local port (`127.0.0.1`/`localhost`, from
    /// `ip`+`port` or from the `uri`), for drivers that have a simulator; sorted by port.
    public static func entries(for modules: [ModuleEndpoint]) -> [Entry] {
        var byPort: [Int: SimulatorKind] = [:]
        var topics: [Int: Set<String>] = [:]
        for module in modules {
            guard let kind = SimulatorKind(driverFile: module.driverFile) else { continue }
            var host = module.ip, port = module.port
            if let uri = module.uri, let parsed = URLParts(uri) { host = parsed.host; port = parsed.port }
            guard let host, ["127.0.0.1", "localhost"].contains(host), let port, port > 0 else { continue }
            if byPort[port] == nil { byPort[port] = kind }
            if byPort[port] == kind { topics[port, default: []].formUnion(module.topics) }
        }
        return byPort.keys.sorted().map { Entry(byPort[$0]!, port: $0, topics: (topics[$0] ?? []).sorted()) }
    }

    /// Starts one simulator per entry; if any port cannot be bound the ones started are stopped
    /// and the error names the port.
    public init(_ entries: [Entry], host: String = "127.0.0.1") throws {
        var started: [any DeviceSimulator] = []
        for entry in entries {
            do {
                started.append(try entry.kind.start(host: host, port: entry.port, topics: entry.topics))
            } catch {
                for simulator in started { simulator.stop() }
                throw SimulatorError("\(entry.kind.rawValue) simulator on port \(entry.port): \(error)")
            }
        }
        simulators = started
    }

    /// One fleet over the simulators of several already started (one control port for fleets
    /// started one by one, as `serve` does so a taken port skips only that simulator).
    public init(combining fleets: [SimulatorFleet]) {
        simulators = fleets.flatMap(\.simulators)
    }

    /// The simulator on `port`, if the fleet has one.
    public func simulator(port: Int) -> (any DeviceSimulator)? { simulators.first { $0.port == port } }

    public func stop() { for simulator in simulators { simulator.stop() } }
}

/// Host and port of an `http://host:port/…` URI (port 80 when absent).
struct URLParts {
    let host: String
    let port: Int

    init?(_ uri: String) {
        guard let schemeEnd = uri.range(of: "://") else { return nil }
        let rest = uri[schemeEnd.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" }
        let pieces = authority.split(separator: ":", maxSplits: 1)
        guard let first = pieces.first else { return nil }
        host = String(first)
        port = pieces.count == 2 ? Int(pieces[1]) ?? 0 : (uri.hasPrefix("https") ? 443 : 80)
    }
}
