import DriverKit

/// A simulator's control port: `GET /stats`, `GET /faults`, `POST /faults` with
/// `{"drop_connections": true, "delay_ms": N, "error": bool, "silent": bool}` (omitted fields
/// reset to normal; `{}` clears every fault).
public final class ControlServer: Sendable {
    private let listener: TCPListener
    public var port: Int { listener.port }

    public init(host: String = "127.0.0.1", port: Int, simulator: any DeviceSimulator) throws {
        listener = try TCPListener(host: host, port: port)
        let faults = Faults()
        listener.start(faults: faults) { connection in
            SimpleHTTP.serve(connection, stats: nil, delayed: false) { request in
                Self.handle(request, simulator: simulator)
            }
        }
    }

    static func handle(_ request: SimpleHTTPRequest, simulator: any DeviceSimulator) -> SimpleHTTPResponse {
        switch (request.method, request.path) {
        case ("GET", "/stats"):
            return .json(simulator.stats.json)
        case ("GET", "/faults"):
            return .json(simulator.faults.json)
        case ("POST", "/faults"), ("PUT", "/faults"):
            let body: JSON
            do { body = request.body.isEmpty ? [:] : try JSONParser.parse(request.body) } catch {
                return .error(400, "body is not JSON: \(error)")
            }
            guard case .object = body else { return .error(400, "body must be a JSON object") }
            var settings = Faults.Settings()
            if let delay = body["delay_ms"] {
                guard let ms = delay.intValue, ms >= 0, ms <= 600_000 else { return .error(400, "delay_ms must be an integer 0-600000") }
                settings.delayMilliseconds = ms
            }
            if let error = body["error"] {
                guard let flag = error.boolValue else { return .error(400, "error must be a boolean") }
                settings.error = flag
            }
            if let silent = body["silent"] {
                guard let flag = silent.boolValue else { return .error(400, "silent must be a boolean") }
                settings.silent = flag
            }
            simulator.faults.set(settings)
            if body["drop_connections"]?.boolValue == true { simulator.dropConnections() }
            return .json(simulator.faults.json)
        default:
            return .error(404, "no such endpoint: \(request.method) \(request.path)")
        }
    }

    public func stop() { listener.stop() }
}
