/// A simulated device on a TCP port, speaking its real protocol.
public protocol DeviceSimulator: AnyObject, Sendable {
    var kind: SimulatorKind { get }
    var port: Int { get }
    var stats: SimulatorStats { get }
    var faults: Faults { get }
    func dropConnections()
    func stop()
}

/// The simulators `backoffice simulate KIND` can run.
public enum SimulatorKind: String, CaseIterable, Sendable {
    case pjlink
    case modbusHVAC = "modbus-hvac"
    case lutron
    case occupancy
    case mqttSensor = "mqtt-sensor"

    /// The simulator for a bundled driver file (`pjlink/PJLinkProjector.swift` → `.pjlink`),
    /// or nil for drivers without one (room logic).
    public init?(driverFile: String) {
        switch driverFile.split(separator: "/").first.map(String.init) {
        case "pjlink": self = .pjlink
        case "modbus-hvac": self = .modbusHVAC
        case "lutron": self = .lutron
        case "occupancy": self = .occupancy
        case "mqtt-sensor": self = .mqttSensor
        default: return nil
        }
    }

    /// Starts a simulator of this kind on `host:port` with its defaults; `topics` are the MQTT
    /// sensors' topics (the sample building's when empty).
    public func start(host: String = "127.0.0.1", port: Int, topics: [String] = []) throws -> any DeviceSimulator {
        switch self {
        case .pjlink: return try PJLinkSimulator(host: host, port: port)
        case .modbusHVAC: return try ModbusHVACSimulator(host: host, port: port)
        case .lutron: return try LutronSimulator(host: host, port: port)
        case .occupancy: return try OccupancySimulator(host: host, port: port)
        case .mqttSensor: return try MQTTSensorSimulator(host: host, port: port, topics: topics)
        }
    }
}
