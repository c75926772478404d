import DriverKit

/// PJLink class 1 projectors and displays over TCP 4352.
///
/// Commands are `%1CMD PARAM\r`, answers `%1CMD=VALUE\r` or `%1CMD=ERRn`. With a password the
/// projector greets `PJLINK 1 <random>` and the first command must be prefixed by
/// `md5(random + password)`; the driver sends a class query with the digest before it lets
/// the queue run, so every function works the same with or without a password.
final class PJLinkProjector: DriverModule {
    static let info = DriverInfo(
        name: "PJLink Projector",
        description: "Any PJLink class 1 projector or display over TCP: power, input, AV mute, lamp hours, error status, name.",
        moduleName: "Projector",
        role: .device,
        defaultPort: 4352,
        defaultSettings: ["input_default": "HDMI1", "poll_every_seconds": 10],
        settingsSchema: ["type": "object", "properties": [
            "password": ["type": "string"],
            "input_default": ["type": "string", "enum": .array(PJLinkProjector.inputs.keys.sorted().map { .string($0) })],
            "poll_every_seconds": ["type": "number", "minimum": 0.1],
            "warm_up_seconds": ["type": "number"],
        ]],
        implements: ["Powerable", "InputSelection", "Mutable"]
    )

    static let inputs = ["RGB1": "11", "RGB2": "12", "VIDEO1": "21", "VIDEO2": "22", "HDMI1": "31", "HDMI2": "32",
                         "HDMI3": "33", "STORAGE": "41", "NETWORK": "51"]

    static let functions: [Function<PJLinkProjector>] = [
        Function("power", description: "Turn the projector on or off.", args: [Argument("state", .boolean)]) { p, args in
            try await p.power(args.get("state"))
        },
        Function("switch_to", description: "Select an input.", args: [Argument("input", .oneOf(inputs.keys.sorted()))]) { p, args in
            try await p.switchTo(args.get("input"))
        },
        Function("mute", description: "Blank picture and sound (AV mute).", args: [Argument("state", .boolean, default: true)]) { p, args in
            try await p.mute(args.get("state"))
        },
        Function("unmute", description: "End AV mute.") { p, _ in try await p.mute(false) },
        Function("lamp_hours", description: "Read the lamp hours.") { p, _ in try await p.lampHours() },
        Function("error_status", description: "Read the error status (fan, lamp, temperature, cover, filter, other).") { p, _ in
            try await p.errorStatus()
        },
        Function("name", description: "Read the projector's name.") { p, _ in try await p.queryName() },
        Function("query_power", description: "Read the power state now.") { p, _ in try await p.queryPower() },
    ]

    let context: ModuleContext
    private var challenge: String?
    private var authenticating = false

    init(context: ModuleContext) {
        self.context = context
        context.tokenizer = DelimiterTokenizer("\r")
        context.readyOnConnect = false
    }

    func start() async throws {
        schedulePolling()
    }

    func update() async throws {
        context.schedule.cancelAll()
        schedulePolling()
    }

    private func schedulePolling() {
        let seconds = context.settings.get("poll_every_seconds", default: 10.0)
        context.schedule.every(.milliseconds(Int(seconds * 1000))) { [weak self] in
            guard let self, self.context[status: "connected"] == true else { return }
            try await self.poll()
        }
    }

    /// Reads everything worth showing.
    func poll() async throws {
        let on = try await queryPower()
        guard on else { return }
        if let input = try? await query("INPT", name: "poll_input") {
            context.set("input", Self.inputs.first { $0.value == input }?.key ?? input)
        }
        if let mute = try? await query("AVMT", name: "poll_mute") {
            context.set("mute", mute == "31" || mute == "11" || mute == "21")
        }
        _ = try? await lampHours()
    }

    // MARK: functions

    func power(_ on: Bool) async throws {
        try await command("POWR", on ? "1" : "0", name: "power")
        context.set("power", on)
        context.set("power_state", on ? "warming" : "cooling")
    }

    func switchTo(_ input: String) async throws {
        guard let code = Self.inputs[input] else { throw DriverError.badArguments("unknown input \(input)") }
        try await command("INPT", code, name: "input")
        context.set("input", input)
    }

    func mute(_ on: Bool) async throws {
        try await command("AVMT", on ? "31" : "30", name: "mute")
        context.set("mute", on)
    }

    @discardableResult
    func queryPower() async throws -> Bool {
        let value = try await query("POWR", name: "poll_power")
        let state = ["0": "off", "1": "on", "2": "cooling", "3": "warming"][value] ?? "unknown"
        context.set("power_state", state)
        let on = state == "on" || state == "warming"
        context.set("power", on)
        return on
    }

    func lampHours() async throws -> Int {
        let value = try await query("LAMP", name: "poll_lamp")
        guard let hours = Int(value.split(separator: " ").first ?? "") else { throw DriverError.failed("bad lamp reply \(value)") }
        context.set("lamp_hours", hours)
        return hours
    }

    func errorStatus() async throws -> JSON {
        let value = Array(try await query("ERST", name: "errors"))
        guard value.count == 6 else { throw DriverError.failed("bad error status reply") }
        let names = ["fan", "lamp", "temperature", "cover", "filter", "other"]
        var report: [String: JSON] = [:]
        for (name, flag) in zip(names, value) { report[name] = .string(flag == "0" ? "ok" : flag == "1" ? "warning" : "error") }
        context.set("errors", JSON.object(report))
        return .object(report)
    }

    func queryName() async throws -> String {
        let name = try await query("NAME", name: "name")
        context.set("name", name)
        return name
    }

    // MARK: protocol

    private func command(_ code: String, _ parameter: String, name: String) async throws {
        _ = try await context.send("%1\(code) \(parameter)\r", CommandOptions(name: name), tag: code)
    }

    private func query(_ code: String, name: String) async throws -> String {
        let value = try await context.send("%1\(code) ?\r", CommandOptions(priority: 20, name: name), tag: code)
        return value.stringValue ?? ""
    }

    static let errors = ["ERR1": "undefined command", "ERR2": "parameter out of range",
                         "ERR3": "unavailable now (the projector is off, warming up or cooling down)",
                         "ERR4": "projector failure"]

    func received(_ frame: [UInt8], command: QueuedCommand?) -> ResponseVerdict {
        let line = String(decoding: frame, as: UTF8.self)
        if line.hasPrefix("PJLINK ") { return greeting(line) }
        guard line.hasPrefix("%1"), let equals = line.firstIndex(of: "=") else {
            context.logger.warning("unexpected reply \"\(line)\"")
            return .ignore
        }
        let code = String(line.dropFirst(2).prefix(4))
        let value = String(line[line.index(after: equals)...])
        if authenticating {
            authenticating = false
            context.logger.debug("authenticated")
            context.set("authentication_failed", false)
            context.deviceReady()
            return .ignore
        }
        guard let command, command.tag == code else { return .ignore }
        if let error = Self.errors[value] { return .failure("\(code): \(error)") }
        return .success(.string(value))
    }

    private func greeting(_ line: String) -> ResponseVerdict {
        let parts = line.split(separator: " ")
        if parts.count >= 2, parts[1] == "ERRA" {
            context.set("authentication_failed", true)
            context.authenticationFailed("PJLink authentication failed: check the password setting")
            return .failure("PJLink authentication failed")
        }
        if parts.count >= 3, parts[1] == "1" {
            let password = context.settings.get("password", default: "")
            challenge = String(parts[2])
            authenticating = true
            try? context.write(MD5.hex(String(parts[2]) + password) + "%1CLSS ?\r")
            return .ignore
        }
        context.set("authentication_failed", false)
        context.deviceReady()
        return .ignore
    }
}
