import DriverKit

/// Lighting on the Lutron integration protocol over telnet-style TCP: logs in at the prompts,
/// sets and reads zone levels (`#OUTPUT`/`?OUTPUT`, reported as `~OUTPUT`) and recalls
/// scenes of area 1 (`#AREA,1,6,n`). Changes made elsewhere arrive as `~OUTPUT` lines and
/// update the status too.
final class LutronLighting: DriverModule {
    static let info = DriverInfo(
        name: "Lutron Lighting Controller",
        description: "Lutron integration protocol over telnet-style TCP (`#OUTPUT`, `?OUTPUT`, `~OUTPUT`): zone levels and scenes.",
        moduleName: "Lighting",
        role: .device,
        defaultPort: 23,
        defaultSettings: ["login": "lutron", "password": "integration", "zones": 4, "fade_seconds": 2,
                          "scenes": ["off": 0, "full": 1, "presentation": 2]],
        settingsSchema: ["type": "object", "properties": [
            "login": ["type": "string"], "password": ["type": "string"],
            "zones": ["type": "integer", "minimum": 1, "maximum": 100],
            "fade_seconds": ["type": "number", "minimum": 0],
            "scenes": ["type": "object"],
        ]],
        implements: ["Lighting"]
    )

    static let functions: [Function<LutronLighting>] = [
        Function("level", description: "Set a zone's level (0–100 %).",
                 args: [Argument("zone", .integer(minimum: 1)), Argument("level", .number(minimum: 0, maximum: 100)),
                        Argument("fade", .number(minimum: 0), default: .null)]) { l, args in
            try await l.setLevel(zone: args.get("zone"), level: args.get("level"), fade: args.optional("fade"))
        },
        Function("query", description: "Read a zone's level.", args: [Argument("zone", .integer(minimum: 1))]) { l, args in
            try await l.query(zone: args.get("zone"))
        },
        Function("scene", description: "Recall a scene by name (from the `scenes` setting) or number.",
                 args: [Argument("scene", .any)]) { l, args in
            try await l.recall(args.get("scene", as: JSON.self))
        },
        Function("off", description: "Recall the off scene.") { l, _ in try await l.recall("off") },
    ]

    let context: ModuleContext
    private var loggedIn = false

    init(context: ModuleContext) {
        self.context = context
        context.tokenizer = LutronTokenizer()
        context.readyOnConnect = false
    }

    func disconnected() { loggedIn = false }

    // MARK: functions

    func setLevel(zone: Int, level: Double, fade: Double?) async throws {
        let seconds = fade ?? context.settings.get("fade_seconds", default: 2.0)
        try await context.send("#OUTPUT,\(zone),1,\(Self.format(level)),\(Self.format(seconds))\r\n",
                               CommandOptions(name: "level_\(zone)"), tag: "OUTPUT,\(zone)")
    }

    func query(zone: Int) async throws -> Double {
        let reply = try await context.send("?OUTPUT,\(zone),1\r\n", CommandOptions(priority: 20), tag: "OUTPUT,\(zone)")
        return reply.doubleValue ?? 0
    }

    func recall(_ scene: JSON) async throws {
        let scenes = context.settings.get("scenes", default: [String: Int]())
        let number: Int
        if let n = scene.intValue {
            number = n
        } else if let name = scene.stringValue, let n = scenes[name] ?? Int(name) {
            number = n
        } else {
            throw DriverError.badArguments("unknown scene \(scene.serialized); known: \(scenes.keys.sorted().joined(separator: ", "))")
        }
        try await context.send("#AREA,1,6,\(number)\r\n", CommandOptions(name: "scene"), tag: "AREA")
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }

    // MARK: protocol

    private static let errors = ["1": "parameter count mismatch", "2": "object does not exist", "3": "invalid action number",
                                 "4": "parameter data out of range", "5": "parameter data malformed", "6": "unsupported command"]

    func received(_ frame: [UInt8], command: QueuedCommand?) -> ResponseVerdict {
        let line = String(decoding: frame, as: UTF8.self)
        switch line {
        case "login:":
            try? context.write(context.settings.get("login", default: "lutron") + "\r\n")
            return .ignore
        case "password:":
            try? context.write(context.settings.get("password", default: "integration") + "\r\n")
            return .ignore
        case "bad login":
            // The processor prompts again at once; retrying at once would log in thousands of times a second.
            context.authenticationFailed("login refused: check the login and password settings")
            return .ignore
        case "GNET>":
            if !loggedIn {
                loggedIn = true
                context.deviceReady()
                Task { await self.readAll() }
            }
            return .ignore
        default:
            break
        }
        let fields = line.split(separator: ",").map(String.init)
        if fields.first == "~ERROR" {
            let code = fields.count > 1 ? fields[1] : "?"
            return command == nil ? .ignore : .failure("Lutron error \(code): \(Self.errors[code] ?? "unknown")")
        }
        if fields.first == "~OUTPUT", fields.count >= 4, let level = Double(fields[3]) {
            context.set("level_\(fields[1])", level)
            if command?.tag == "OUTPUT,\(fields[1])" { return .success(.number(level)) }
        }
        if fields.first == "~AREA", fields.count >= 4, let number = Int(fields[3]) {
            let scenes = context.settings.get("scenes", default: [String: Int]())
            context.set("scene", scenes.first { $0.value == number }?.key ?? String(number))
            if command?.tag == "AREA" { return .success(.number(Double(number))) }
        }
        return .ignore
    }

    private func readAll() async {
        for zone in 1...max(1, context.settings.get("zones", default: 4)) { _ = try? await query(zone: zone) }
        _ = try? await context.send("?AREA,1,6\r\n", CommandOptions(priority: 20), tag: "AREA")
    }
}
