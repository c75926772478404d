import DeviceSimulators
import DriverKit

/// The bundled driver a run measures (`DRIVER_BENCH_DRIVER`), with its simulator, a module's
/// config and a function that asks the device (or service) something.
enum BenchedDriver: String {
    case pjlink
    case modbusHVAC = "modbus-hvac"
    case lutron
    case occupancy

    var executable: String { "driver-\(rawValue)" }

    /// Simulators the modules are spread over (one HTTP service holds every occupancy room).
    var simulatorCount: Int { self == .occupancy ? 1 : 10 }

    func simulator() throws -> any DeviceSimulator {
        switch self {
        case .pjlink: try PJLinkSimulator(port: 0, password: "harbourpoint")
        case .modbusHVAC: try ModbusHVACSimulator(port: 0)
        case .lutron: try LutronSimulator(port: 0)
        case .occupancy: try OccupancySimulator(port: 0)
        }
    }

    /// Module `index`'s config, on a simulator listening on `port`. Polls every 60 s, as a
    /// building would (occupancy every 5 s, the sample building's setting).
    func config(module index: Int, port: Int) -> JSON {
        switch self {
        case .pjlink:
            ["ip": "127.0.0.1", "port": .number(Double(port)), "settings": ["password": "harbourpoint", "poll_every_seconds": 60]]
        case .modbusHVAC:
            ["ip": "127.0.0.1", "port": .number(Double(port)), "settings": ["poll_every_seconds": 60]]
        case .lutron:
            ["ip": "127.0.0.1", "port": .number(Double(port))]
        case .occupancy:
            ["uri": .string("http://127.0.0.1:\(port)/rooms/sys-\(index)"), "settings": ["poll_every_seconds": 5]]
        }
    }

    var execMethod: String {
        switch self {
        case .pjlink: "name"
        case .modbusHVAC, .occupancy: "refresh"
        case .lutron: "off"
        }
    }
}
