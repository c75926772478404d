import Testing
@testable import DriverKit

@Suite struct JSONTests {
    @Test func parsesAndSerialisesRoundTrip() throws {
        let text = #"{"a":[1,2.5,-3e2,true,false,null],"b":"x\"y\\z\n\u00e9\ud83d\ude00","c":{}}"#
        let value = try JSONParser.parse(text)
        #expect(value["a"] == [1, 2.5, -300, true, false, nil])
        #expect(value["b"]?.stringValue == "x\"y\\z\né😀")
        #expect(try JSONParser.parse(value.serialized) == value)
        #expect(JSON.object(["b": 1, "a": "\u{1}"]).serialized == #"{"a":"\u0001","b":1}"#)
    }

    @Test(arguments: ["", "{", "[1,]", "{\"a\" 1}", "01", "1.", "tru", "\"\\x\"", "\"\u{1}\"", "{} x", "\"\\ud800\""])
    func rejectsBadJSON(text: String) {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(text) }
    }

    @Test func integersAndTypeNames() {
        #expect(JSON.number(3).intValue == 3)
        #expect(JSON.number(3.5).intValue == nil)
        #expect(JSON.number(3).typeName == "integer")
        #expect(JSON.number(3.5).typeName == "number")
    }
}

@Suite struct SettingsTests {
    let settings = Settings(values: ["timeout": 2.5, "name": "Room", "port": "oops", "scenes": ["off": 0, "full": 1]],
                            defaults: ["timeout": 30, "retries": 3, "port": 23])

    @Test func configuredValuesWinOverDefaults() {
        #expect(settings.get("timeout", default: 1.0) == 2.5)
        #expect(settings.get("retries", default: 0) == 3)
        #expect(settings.get("missing", default: "fallback") == "fallback")
        #expect(settings.get("scenes", default: [String: Int]()) == ["off": 0, "full": 1])
    }

    @Test func wrongTypeIsAnErrorNamingTheKey() {
        #expect(settings.get("port", default: 0) == 0)
        #expect(throws: DriverError.failed("setting \"port\" must be Int, got string \"oops\"")) {
            _ = try settings.require("port", as: Int.self)
        }
        #expect(throws: DriverError.failed("setting \"nothing\" is not set")) {
            _ = try settings.require("nothing", as: String.self)
        }
    }

    @Test func schemaProblemsAreReported() {
        let schema: JSON = ["type": "object", "properties": ["timeout": ["type": "number", "maximum": 2]]]
        #expect(settings.problems(against: schema) == ["settings.timeout must be at most 2"])
    }
}

@Suite struct StatusStoreTests {
    @Test func onlyChangesArePublished() {
        var store = StatusStore()
        var published: [Bool] = []
        for (key, value) in [("power", true), ("power", true), ("power", false), ("levels", [1, 2]), ("levels", [1, 2]),
                             ("levels", nil), ("levels", nil)] as [(String, JSON)] {
            published.append(store.set(key, value))
        }
        #expect(published == [true, false, true, true, false, true, false])
        #expect(store["power"] == false)
    }

    @Test @DriverActor func contextSendsStatusOnlyOnChange() {
        let output = RecordingOutput()
        let context = ModuleContext(config: ModuleConfig(module: "mod-1"), info: DriverInfo(name: "T", moduleName: "T", role: .logic), output: output)
        context.set("power", true)
        context.set("power", true)
        context.set("power", false)
        #expect(output.messages.map(\.serialized) == [
            #"{"key":"power","module":"mod-1","type":"status","value":true}"#,
            #"{"key":"power","module":"mod-1","type":"status","value":false}"#,
        ])
    }

    @Test @DriverActor func debugAndTraceLinesOnlyWhileDebugged() {
        let output = RecordingOutput()
        let context = ModuleContext(config: ModuleConfig(module: "m"), info: DriverInfo(name: "T", moduleName: "T", role: .logic), output: output)
        context.logger.debug("hidden")
        context.logger.info("shown")
        context.logger.debugging = true
        context.logger.trace("now shown")
        #expect(output.messages.compactMap { $0["message"]?.stringValue } == ["shown", "now shown"])
        #expect(output.messages.last?["level"] == "trace")
    }
}

@DriverActor final class RecordingOutput: MessageOutput {
    var messages: [JSON] = []
    func send(_ message: JSON) { messages.append(message) }
}

@Suite struct FunctionSpecTests {
    let spec = FunctionSpec(name: "level", arguments: [
        Argument("zone", .integer(minimum: 1)), Argument("level", .number(minimum: 0, maximum: 100)),
        Argument("fade", .number(), default: 2),
    ])

    @Test func positionalAndNamedArgumentsBindWithDefaults() throws {
        let positional = try spec.bind([3, 50.5])
        #expect(try positional.get("zone", as: Int.self) == 3)
        #expect(try positional.get("fade", as: Double.self) == 2)
        let named = try spec.bind(["level": 10, "zone": 1, "fade": 0])
        #expect(try named.get("fade", as: Double.self) == 0)
    }

    static let badCalls: [(JSON, String)] = [
        (JSON.array([]), "level: missing argument \"zone\""),
        ([1, 2, 3, 4], "level takes at most 3 arguments, got 4"),
        (["zone": 1, "level": 5, "colour": "red"], "level has no argument \"colour\""),
        ([0, 5], "level: zone must be at least 1"),
        ([1, 101], "level: level must be at most 100"),
        ([1.5, 5], "level: zone must be integer, got number"),
        (["1", 5], "level: zone must be integer, got string"),
        ("x", "args must be an array or an object"),
    ]

    @Test(arguments: badCalls)
    func badArgumentsAreRejectedWithAReason(args: JSON, message: String) {
        #expect(throws: DriverError.badArguments(message)) { _ = try spec.bind(args) }
    }

    @Test func metadataListsFunctionsWithSchemas() {
        let metadata = DriverInfo(name: "L", moduleName: "Lighting", role: .device, defaultPort: 23)
            .metadata(functions: [spec, FunctionSpec(name: "reset", security: .administrator)])
        #expect(metadata["default_port"] == 23)
        #expect(metadata["functions"]?["reset"]?["security"] == "administrator")
        #expect(metadata["functions"]?["level"]?["args"]?.arrayValue?.last == ["name": "fade", "schema": ["type": "number"], "default": 2])
    }
}

@Suite struct SmallPartsTests {
    @Test func md5MatchesTheRFCVectors() {
        #expect(MD5.hex("") == "d41d8cd98f00b204e9800998ecf8427e")
        #expect(MD5.hex("abc") == "900150983cd24fb0d6963f7d28e17f72")
        #expect(MD5.hex("12345678901234567890123456789012345678901234567890123456789012345678901234567890") == "57edf4a22be3c955ac49da2e2107b67a")
        // The PJLink specification's example: random "498e4a67" and password "JBMIAProjectorLink".
        #expect(MD5.hex("498e4a67JBMIAProjectorLink") == "5d8409bc1c3fa39749434aa3a5c38682")
    }

    @Test func backoffDoublesToTheCapAndResets() {
        var backoff = Backoff(initial: .milliseconds(500), maximum: .seconds(4))
        #expect((0..<6).map { _ in backoff.nextDelay() } == [.milliseconds(500), .seconds(1), .seconds(2), .seconds(4), .seconds(4), .seconds(4)])
        backoff.reset()
        #expect(backoff.nextDelay() == .milliseconds(500))
    }

    @Test func connectionFieldsDecideRestartVersusUpdate() {
        let base = ModuleConfig(module: "m", ip: "10.0.0.1", port: 23, settings: ["a": 1])
        var settingsOnly = base
        settingsOnly.settings = ["a": 2]
        var newPort = base
        newPort.port = 24
        #expect(!settingsOnly.connectionDiffers(from: base))
        #expect(newPort.connectionDiffers(from: base))
    }
}
