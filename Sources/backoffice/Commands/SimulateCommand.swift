import DeviceSimulators
#if canImport(Glibc)
import Glibc
#endif

/// `backoffice simulate KIND --port N [--control-port M]`: one device simulator in the foreground.
enum SimulateCommand: Command {
    static let name = "simulate"
    static let summary = "run a device simulator (pjlink, modbus-hvac, lutron, occupancy, mqtt-sensor)"
    static let help = """
        usage: backoffice simulate KIND --port N [--host ADDR] [--control-port M]

        Runs a simulated device that speaks its real protocol until SIGINT or SIGTERM:

          pjlink       PJLink class 1 projector (password "harbourpoint", --password to change,
                       --password "" for none)
          modbus-hvac  Modbus TCP fan-coil controller (unit id 1)
          lutron       Lutron integration protocol lighting (login "lutron", password "integration")
          occupancy    HTTP occupancy service: GET/PUT/DELETE /rooms/<system-id>
                       (--cycle SECONDS: the demo occupancy cycle, default 60)
          mqtt-sensor  a mosquitto broker on --port and air-quality sensors publishing
                       {"co2", "temperature", "humidity"} to it (--topics T1,T2,…: default
                       harbourpoint/level-1/air … level-3/air; commands on <topic>/command)

        The control port (HTTP, JSON) answers GET /stats with connections_accepted,
        connections_open and requests, and POST /faults with {"drop_connections": true,
        "delay_ms": N, "error": true, "silent": true} to inject faults ({} clears them).

          --port N          the device port (required)
          --host ADDR       the IPv4 address to listen on (default 127.0.0.1)
          --control-port M  also serve the control API on port M
        """
    static let arguments = ArgumentSpec(valueOptions: ["port", "host", "control-port", "password", "cycle", "topics"], positionals: 1...1)

    static func run(_ arguments: ParsedArguments) async throws -> Int32 {
        let kindName = arguments.positionals[0]
        guard let kind = SimulatorKind(rawValue: kindName) else {
            throw UsageError("unknown simulator \"\(kindName)\"; one of: \(SimulatorKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let port = try arguments.integer("port", in: 0...65535) else { throw UsageError("--port is required") }
        let host = arguments.value("host") ?? "127.0.0.1"
        let simulator: any DeviceSimulator
        switch kind {
        case .pjlink where arguments.value("password") != nil:
            let password = arguments.value("password")!
            simulator = try PJLinkSimulator(host: host, port: port, password: password.isEmpty ? nil : password)
        case .occupancy:
            let cycle = try arguments.integer("cycle", in: 2...86400) ?? 60
            simulator = try OccupancySimulator(host: host, port: port, cycle: cycle)
        case .mqttSensor:
            let topics = arguments.value("topics")?.split(separator: ",").map(String.init) ?? []
            simulator = try MQTTSensorSimulator(host: host, port: port, topics: topics)
        default:
            simulator = try kind.start(host: host, port: port)
        }
        var control: ControlServer?
        if let controlPort = try arguments.integer("control-port", in: 0...65535) {
            control = try ControlServer(host: host, port: controlPort, simulator: simulator)
        }
        Terminal.error("backoffice simulate: \(kind.rawValue) on \(host):\(simulator.port)" + (control.map { ", control on \(host):\($0.port)" } ?? ""))
        let signal = await SignalWatcher([SIGINT, SIGTERM]).next()
        Terminal.error("backoffice simulate: signal \(signal), stopping")
        control?.stop()
        simulator.stop()
        return 0
    }
}
