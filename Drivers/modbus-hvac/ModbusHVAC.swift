import DriverKit

/// A fan-coil / VAV controller over Modbus TCP (unit id from the `unit_id` setting).
///
/// Holding registers 0 setpoint (°C × 10), 1 mode, 2 fan speed; input register 0 room
/// temperature (°C × 10). Exception responses become `failed` errors naming the exception.
final class ModbusHVAC: DriverModule {
    static let modes = ["off", "auto", "heat", "cool", "fan_only", "standby"]
    static let fanSpeeds = ["auto", "low", "medium", "high"]

    static let info = DriverInfo(
        name: "Modbus TCP HVAC Controller",
        description: "Fan-coil / VAV controller over Modbus TCP: setpoint, mode, fan speed and room temperature registers.",
        moduleName: "HVAC",
        role: .device,
        defaultPort: 502,
        defaultSettings: ["unit_id": 1, "comfort_setpoint": 22.5, "standby_setpoint": 26, "poll_every_seconds": 5],
        settingsSchema: ["type": "object", "properties": [
            "unit_id": ["type": "integer", "minimum": 0, "maximum": 255],
            "comfort_setpoint": ["type": "number", "minimum": 5, "maximum": 35],
            "standby_setpoint": ["type": "number", "minimum": 5, "maximum": 35],
            "poll_every_seconds": ["type": "number", "minimum": 0.1],
        ]],
        implements: ["Thermostat"]
    )

    static let functions: [Function<ModbusHVAC>] = [
        Function("set_setpoint", description: "Set the temperature setpoint in °C.",
                 args: [Argument("celsius", .number(minimum: 5, maximum: 35))]) { h, args in
            try await h.setSetpoint(args.get("celsius"))
        },
        Function("set_mode", description: "Set the operating mode.", args: [Argument("mode", .oneOf(modes))]) { h, args in
            try await h.setMode(args.get("mode"))
        },
        Function("set_fan_speed", description: "Set the fan speed.", args: [Argument("speed", .oneOf(fanSpeeds))]) { h, args in
            try await h.setFanSpeed(args.get("speed"))
        },
        Function("standby", description: "Standby mode at the standby setpoint (empty room).") { h, _ in try await h.standby() },
        Function("comfort", description: "Auto mode at the comfort setpoint (occupied room).") { h, _ in try await h.comfort() },
        Function("refresh", description: "Read every register now.") { h, _ in try await h.refresh() },
        // Commissioning: a raw holding-register write bypasses the mode and setpoint checks
        // above, so only administrators may call it.
        Function("write_register", description: "Write one raw holding register (commissioning; administrators only).",
                 args: [Argument("address", .integer(minimum: 0, maximum: 65535)), Argument("value", .integer(minimum: 0, maximum: 65535))],
                 security: .administrator) { h, args in
            try await h.writeRawRegister(args.get("address"), args.get("value"))
        },
    ]

    let context: ModuleContext
    private var transaction: UInt16 = 0

    init(context: ModuleContext) {
        self.context = context
        context.tokenizer = LengthPrefixedTokenizer(lengthOffset: 4, lengthSize: 2, headerLength: 6)
    }

    func start() async throws { schedulePolling() }

    func update() async throws {
        context.schedule.cancelAll()
        schedulePolling()
    }

    func connected() async { _ = try? await refresh() }

    private func schedulePolling() {
        let seconds = context.settings.get("poll_every_seconds", default: 5.0)
        context.schedule.every(.milliseconds(Int(seconds * 1000))) { [weak self] in
            guard let self, self.context[status: "connected"] == true else { return }
            _ = try await self.refresh()
        }
    }

    // MARK: functions

    func setSetpoint(_ celsius: Double) async throws {
        try await writeRegister(0, Int((celsius * 10).rounded()), name: "setpoint")
        context.set("setpoint", celsius)
    }

    func setMode(_ mode: String) async throws {
        guard let value = Self.modes.firstIndex(of: mode) else { throw DriverError.badArguments("unknown mode \(mode)") }
        try await writeRegister(1, value, name: "mode")
        context.set("mode", mode)
    }

    func setFanSpeed(_ speed: String) async throws {
        guard let value = Self.fanSpeeds.firstIndex(of: speed) else { throw DriverError.badArguments("unknown fan speed \(speed)") }
        try await writeRegister(2, value, name: "fan_speed")
        context.set("fan_speed", speed)
    }

    func standby() async throws {
        try await setMode("standby")
        try await setSetpoint(context.settings.get("standby_setpoint", default: 26.0))
    }

    func comfort() async throws {
        try await setMode("auto")
        try await setSetpoint(context.settings.get("comfort_setpoint", default: 22.5))
    }

    func writeRawRegister(_ address: Int, _ value: Int) async throws {
        try await writeRegister(address, value, name: "register_\(address)")
        context.logger.log(.warning, "raw write: holding register \(address) = \(value)")
        _ = try? await refresh()
    }

    func refresh() async throws -> JSON {
        let holding = try await readRegisters(function: 0x03, start: 0, count: 3)
        let input = try await readRegisters(function: 0x04, start: 0, count: 1)
        let setpoint = Double(holding[0]) / 10
        let mode = Self.modes.indices.contains(holding[1]) ? Self.modes[holding[1]] : "unknown"
        let fan = Self.fanSpeeds.indices.contains(holding[2]) ? Self.fanSpeeds[holding[2]] : "unknown"
        let temperature = Double(Int16(truncatingIfNeeded: input[0])) / 10
        context.set("setpoint", setpoint)
        context.set("mode", mode)
        context.set("fan_speed", fan)
        context.set("temperature", temperature)
        return ["setpoint": .number(setpoint), "mode": .string(mode), "fan_speed": .string(fan), "temperature": .number(temperature)]
    }

    // MARK: Modbus

    private var unitID: UInt8 { UInt8(clamping: context.settings.get("unit_id", default: 1)) }

    private func frame(_ pdu: [UInt8]) -> (bytes: [UInt8], tag: String) {
        transaction &+= 1
        let length = pdu.count + 1
        let bytes = [UInt8(transaction >> 8), UInt8(transaction & 0xFF), 0, 0, UInt8(length >> 8), UInt8(length & 0xFF), unitID] + pdu
        return (bytes, String(transaction))
    }

    private func writeRegister(_ address: Int, _ value: Int, name: String) async throws {
        let request = frame([0x06, UInt8(address >> 8), UInt8(address & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)])
        _ = try await context.send(request.bytes, CommandOptions(name: name), tag: request.tag)
    }

    private func readRegisters(function: UInt8, start: Int, count: Int) async throws -> [Int] {
        let request = frame([function, UInt8(start >> 8), UInt8(start & 0xFF), 0, UInt8(count)])
        let reply = try await context.send(request.bytes, CommandOptions(priority: 20), tag: request.tag)
        let values = reply.arrayValue?.compactMap(\.intValue) ?? []
        guard values.count == count else { throw DriverError.failed("expected \(count) registers, got \(values.count)") }
        return values
    }

    static let exceptions: [UInt8: String] = [
        1: "illegal function", 2: "illegal data address", 3: "illegal data value", 4: "server device failure",
        5: "acknowledge", 6: "server device busy", 10: "gateway path unavailable", 11: "gateway target device failed to respond",
    ]

    func received(_ frame: [UInt8], command: QueuedCommand?) -> ResponseVerdict {
        guard frame.count >= 9 else { return .ignore }
        let transaction = String(Int(frame[0]) << 8 | Int(frame[1]))
        guard let command, command.tag == transaction else { return .ignore }
        let function = frame[7]
        if function & 0x80 != 0 {
            let code = frame[8]
            return .failure("Modbus exception \(code) (\(Self.exceptions[code] ?? "unknown")) for function \(function & 0x7F)")
        }
        switch function {
        case 0x03, 0x04:
            let count = Int(frame[8]) / 2
            guard frame.count >= 9 + count * 2 else { return .failure("short register reply") }
            return .success(.array((0..<count).map { .number(Double(Int(frame[9 + $0 * 2]) << 8 | Int(frame[10 + $0 * 2]))) }))
        default:
            return .done
        }
    }
}
