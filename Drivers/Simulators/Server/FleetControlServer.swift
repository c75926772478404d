import DriverKit

/// One control port for a whole fleet: `GET /simulators` lists them; `/simulators/<port>/stats`
/// and `/simulators/<port>/faults` work as a single simulator's `/stats` and `/faults`.
public final class FleetControlServer: Sendable {
    private let listener: TCPListener
    public var port: Int { listener.port }

    public init(host: String = "127.0.0.1", port: Int, fleet: SimulatorFleet) throws {
        listener = try TCPListener(host: host, port: port)
        listener.start(faults: Faults()) { connection in
            SimpleHTTP.serve(connection, stats: nil, delayed: false) { request in Self.handle(request, fleet: fleet) }
        }
    }

    static func handle(_ request: SimpleHTTPRequest, fleet: SimulatorFleet) -> SimpleHTTPResponse {
        let parts = request.path.split(separator: "/").map(String.init)
        if request.method == "GET", parts == ["simulators"] {
            let items = fleet.simulators.map { JSON.object(["kind": .string($0.kind.rawValue), "port": .number(Double($0.port))]) }
            return .json(JSON.array(items).serialized)
        }
        guard parts.count == 3, parts[0] == "simulators", let port = Int(parts[1]) else {
            return .error(404, "no such endpoint: \(request.method) \(request.path)")
        }
        guard let simulator = fleet.simulator(port: port) else { return .error(404, "no simulator on port \(port)") }
        let inner = SimpleHTTPRequest(method: request.method, path: "/" + parts[2], body: request.body)
        return ControlServer.handle(inner, simulator: simulator)
    }

    public func stop() { listener.stop() }
}
