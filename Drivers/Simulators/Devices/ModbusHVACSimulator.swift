import Foundation
import Synchronization

/// A fan-coil controller on Modbus TCP.
///
/// Holding registers: 0 setpoint (°C × 10, 50–350), 1 mode (0 off, 1 auto, 2 heat, 3 cool,
/// 4 fan only, 5 standby), 2 fan speed (0 auto, 1 low, 2 medium, 3 high).
/// Input registers: 0 room temperature (°C × 10), which drifts toward the setpoint at
/// `driftPerSecond` while the unit runs and toward 26 °C when it is off or in standby.
/// Functions 3, 4, 6 and 16; anything else answers exception 1, a bad address 2, a bad value 3,
/// the `error` fault 4 (device failure), another unit id 11 (gateway target failed to respond).
public final class ModbusHVACSimulator: DeviceSimulator {
    public struct State: Sendable {
        public var setpoint = 225
        public var mode = 1
        public var fanSpeed = 0
        public var temperature = 240.0
        var updated = ContinuousClock.now
    }

    public let kind = SimulatorKind.modbusHVAC
    public let stats = SimulatorStats()
    public let faults = Faults()
    public let unitID: UInt8
    public let driftPerSecond: Double
    private let listener: TCPListener
    private let state = Mutex(State())
    public var port: Int { listener.port }

    public init(host: String = "127.0.0.1", port: Int, unitID: UInt8 = 1, driftPerSecond: Double = 0.5) throws {
        self.unitID = unitID
        self.driftPerSecond = driftPerSecond
        listener = try TCPListener(host: host, port: port, stats: stats)
        listener.start(faults: faults) { [weak self] connection in self?.serve(connection) }
    }

    public var current: State { state.withLock { drift(&$0); return $0 } }
    public func dropConnections() { listener.dropConnections() }
    public func stop() { listener.stop() }

    private func drift(_ state: inout State) {
        let now = ContinuousClock.now
        let elapsed = now - state.updated
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        state.updated = now
        let target = (state.mode == 0 || state.mode == 5) ? 260.0 : Double(state.setpoint)
        let step = driftPerSecond * seconds
        if abs(target - state.temperature) <= step { state.temperature = target } else {
            state.temperature += state.temperature < target ? step : -step
        }
    }

    private func serve(_ connection: ClientConnection) {
        while let header = connection.read(exactly: 7) {
            let length = Int(header[4]) << 8 | Int(header[5])
            guard header[2] == 0, header[3] == 0, length >= 2, length <= 254,
                  let pdu = connection.read(exactly: length - 1) else { return }
            stats.request()
            let reply = respond(unit: header[6], pdu: pdu)
            var frame = Array(header[0..<4])
            frame.append(UInt8((reply.count + 1) >> 8))
            frame.append(UInt8((reply.count + 1) & 0xFF))
            frame.append(header[6])
            connection.reply(frame + reply)
        }
    }

    /// The response PDU (function code onwards) to one request PDU.
    func respond(unit: UInt8, pdu: [UInt8]) -> [UInt8] {
        let function = pdu[0]
        func exception(_ code: UInt8) -> [UInt8] { [function | 0x80, code] }
        if unit != unitID { return exception(0x0B) }
        if faults.current.error { return exception(0x04) }
        func word(_ i: Int) -> Int? { pdu.count >= i + 2 ? Int(pdu[i]) << 8 | Int(pdu[i + 1]) : nil }
        return state.withLock { state -> [UInt8] in
            drift(&state)
            switch function {
            case 0x03, 0x04:
                guard let start = word(1), let count = word(3), pdu.count == 5 else { return exception(0x03) }
                guard (1...125).contains(count) else { return exception(0x03) }
                let registers = function == 0x03 ? [state.setpoint, state.mode, state.fanSpeed] : [Int(state.temperature.rounded())]
                guard start + count <= registers.count else { return exception(0x02) }
                var out: [UInt8] = [function, UInt8(count * 2)]
                for value in registers[start..<start + count] { out += [UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)] }
                return out
            case 0x06:
                guard let address = word(1), let value = word(3), pdu.count == 5 else { return exception(0x03) }
                if let code = write(address, value, &state) { return exception(code) }
                return pdu
            case 0x10:
                guard let start = word(1), let count = word(3), pdu.count >= 6, Int(pdu[5]) == count * 2,
                      pdu.count == 6 + count * 2, count >= 1 else { return exception(0x03) }
                guard start + count <= 3 else { return exception(0x02) }
                var copy = state
                for i in 0..<count {
                    if let code = write(start + i, word(6 + i * 2)!, &copy) { return exception(code) }
                }
                state = copy
                return Array(pdu[0..<5])
            default:
                return exception(0x01)
            }
        }
    }

    private func write(_ address: Int, _ value: Int, _ state: inout State) -> UInt8? {
        switch address {
        case 0: guard (50...350).contains(value) else { return 0x03 }; state.setpoint = value
        case 1: guard (0...5).contains(value) else { return 0x03 }; state.mode = value
        case 2: guard (0...3).contains(value) else { return 0x03 }; state.fanSpeed = value
        default: return 0x02
        }
        return nil
    }
}
