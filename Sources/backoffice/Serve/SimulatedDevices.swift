#if canImport(Glibc)
import Glibc
#endif
import ConfigRepo
import DeviceSimulators

/// The demo's simulated devices as `serve` sees them: which local ports the modules of bundled
/// drivers point at (one simulator per port), whether those ports are free, and free ports of
/// its own for each new repository (docs/driverkit.md, "Two servers on one machine"). Two
/// servers on one machine then each talk to their own devices.
enum SimulatedDevices {
    /// One simulator: its kind, its port, and the modules that use it.
    struct Endpoint: Equatable {
        var kind: SimulatorKind
        var port: Int
        var modules: [String]
        /// For an MQTT sensor: the topics its modules read (where the simulator publishes).
        var topics: [String] = []

        /// `modbus-hvac for mod-l1-huddle-hvac` (the first few modules).
        var label: String {
            let names = modules.prefix(3).joined(separator: ", ") + (modules.count > 3 ? " and \(modules.count - 3) more" : "")
            return "\(kind.rawValue) for \(names)"
        }
    }

    /// Where replacement ports come from: below the kernel's range for outgoing connections and
    /// apart from the sample's own ports (12300–18080) and the test suite's servers (20000 up).
    static let replacementPorts = Array(18100..<20000) + Array(10000..<12300)

    /// The simulators a building needs: modules of drivers from a `bundled:` repository that
    /// have a simulator and point at 127.0.0.1 or localhost, by `ip`+`port` or `uri` (their
    /// driver's defaults when unset), grouped by port, sorted by port.
    static func endpoints(in snapshot: Snapshot) -> [Endpoint] {
        var byPort: [Int: Endpoint] = [:]
        for document in snapshot.all(.module) {
            guard let driver = snapshot.driver(ofModule: document),
                  let repository = driver.repositoryID.flatMap({ snapshot.document(.repository, $0) }),
                  repository.string("uri")?.hasPrefix("bundled:") == true,
                  let file = driver.document.string("file_name"), let kind = SimulatorKind(driverFile: file) else { continue }
            let module = ModuleView(document)
            var host = module.ip, port = module.port ?? driver.defaultPort
            if let uri = module.uri ?? (module.ip == nil ? driver.defaultURI : nil), let parts = authority(of: uri) {
                host = parts.host
                port = parts.port
            }
            guard let host, ["127.0.0.1", "localhost"].contains(host), let port, port > 0 else { continue }
            byPort[port, default: Endpoint(kind: kind, port: port, modules: [])].modules.append(document.id)
            if kind == .mqttSensor {
                byPort[port]!.topics = Array(Set(byPort[port]!.topics + mqttTopics(of: [document, driver.document]))).sorted()
            }
        }
        return byPort.keys.sorted().map { byPort[$0]! }
    }

    /// The topics an MQTT sensor reads, from its and its driver's `settings.none.statuses`
    /// (wildcard filters left out): where its simulator publishes.
    private static func mqttTopics(of documents: [ConfigDocument]) -> [String] {
        var topics: Set<String> = []
        for document in documents {
            let statuses = document["settings"]?.objectValue?["none"]?.objectValue?["statuses"]?.objectValue ?? [:]
            for source in statuses.values {
                if let topic = source.objectValue?["topic"]?.stringValue, !topic.contains("+"), !topic.contains("#") {
                    topics.insert(topic)
                }
            }
        }
        return topics.sorted()
    }

    /// Host and port of `scheme://host:port/…` (80 or 443 when the port is left out).
    static func authority(of uri: String) -> (host: String, port: Int)? {
        guard let start = uri.range(of: "://") else { return nil }
        let authority = uri[start.upperBound...].prefix { $0 != "/" && $0 != "?" }
        let pieces = authority.split(separator: ":", maxSplits: 1)
        guard let host = pieces.first else { return nil }
        let port = pieces.count == 2 ? Int(pieces[1]) : (uri.hasPrefix("https") ? 443 : 80)
        return port.map { (String(host), $0) }
    }

    /// Whether nothing listens on (or holds) 127.0.0.1:`port` right now. Probed as a simulator
    /// binds (`SO_REUSEADDR`), so connections of a server that just stopped, still in TIME_WAIT,
    /// do not count.
    static func isFree(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    /// For a new repository made of `files`: every simulator port moved to a free port of its
    /// own, none in `avoiding` (the server's). The folder's ports are shared by every repository
    /// made from it — another server on this machine, an older one among them, may hold them
    /// now or take them the moment after — so a new building never keeps them.
    /// The demo broker's port is left out: `DemoBrokerPort` already chose a free one.
    static func portMoves(files: [RepoFile], avoiding: Set<Int>) -> [Int: Int] {
        let needed = endpoints(in: Snapshot(commit: nil, files: files)).filter { $0.kind != .mqttSensor }.map(\.port)
        return replacements(for: needed, avoiding: avoiding.union(needed))
    }

    /// A module, driver or broker file with its simulator ports moved (`port`, `default_port`, and the
    /// port of a local `uri`/`default_uri`); other files as they are.
    static func movingPorts(_ moves: [Int: Int], path: String, bytes: [UInt8]) -> [UInt8] {
        guard !moves.isEmpty, path.hasPrefix("modules/") || path.hasPrefix("drivers/") || path.hasPrefix("brokers/"), path.hasSuffix(".json"),
              case .object(var members)? = try? JSONParser.parse(bytes), movePorts(moves, in: &members) else { return bytes }
        return JSONWriter.canonicalBytes(.object(members))
    }

    /// The modules, drivers and brokers of `snapshot` whose simulator ports `moves` changes, changed.
    static func movingPorts(_ moves: [Int: Int], in snapshot: Snapshot) -> [ConfigDocument] {
        (snapshot.all(.module) + snapshot.all(.driver) + snapshot.all(.broker)).compactMap { document in
            var moved = document
            return movePorts(moves, in: &moved.members) ? moved : nil
        }
    }

    /// Moves `port`, `default_port` and the port of a local `uri`/`default_uri`; whether any moved.
    private static func movePorts(_ moves: [Int: Int], in members: inout [String: JSONValue]) -> Bool {
        var changed = false
        for key in ["port", "default_port"] {
            if let port = members[key]?.intValue, let new = moves[port] {
                members[key] = .int(new)
                changed = true
            }
        }
        for key in ["uri", "default_uri"] {
            guard let uri = members[key]?.stringValue, let (host, port) = authority(of: uri),
                  ["127.0.0.1", "localhost"].contains(host), let new = moves[port] else { continue }
            members[key] = .string(uri.replacingOccurrences(of: "\(host):\(port)", with: "\(host):\(new)"))
            changed = true
        }
        return changed
    }

    /// Free ports for `ports`, none of them in `avoiding` (replacement ports are tried from a
    /// random place, so two servers choosing at once rarely choose alike).
    static func replacements(for ports: [Int], avoiding: Set<Int>) -> [Int: Int] {
        var taken = avoiding.union(ports)
        var moves: [Int: Int] = [:]
        let start = Int.random(in: 0..<replacementPorts.count)
        var candidates = (replacementPorts[start...] + replacementPorts[..<start]).makeIterator()
        for port in ports {
            while let candidate = candidates.next() {
                guard !taken.contains(candidate), isFree(candidate) else { continue }
                moves[port] = candidate
                taken.insert(candidate)
                break
            }
        }
        return moves
    }

    /// The body of the first commit's message that records the moves.
    static func describe(_ moves: [Int: Int]) -> String? {
        guard !moves.isEmpty else { return nil }
        return "Simulated devices on ports of their own, free when this repository was created: "
            + moves.keys.sorted().map { "\($0) → \(moves[$0]!)" }.joined(separator: ", ") + "."
    }
}
