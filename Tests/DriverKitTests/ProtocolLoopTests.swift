import Foundation
import Synchronization
import Testing
@testable import DriverKit
#if canImport(Glibc)
import Glibc
#endif

/// A driver that exercises every part of the protocol.
final class Probe: DriverModule {
    static let info = DriverInfo(name: "Probe", moduleName: "Probe", role: .logic, defaultSettings: ["greeting": "hi"])
    static let functions: [Function<Probe>] = [
        Function("echo", args: [Argument("text", .string)]) { _, args in try args.get("text", as: String.self) },
        Function("greet") { p, _ in p.context.settings.get("greeting", default: "") },
        Function("fail") { _, _ in throw DriverError.failed("it broke") },
        Function("set", args: [Argument("key", .string), Argument("value", .any)]) { p, args in
            p.context.setStatus(try args.get("key"), try args.get("value", as: JSON.self))
        },
        Function("call", args: [Argument("target", .string), Argument("method", .string)]) { p, args in
            try await p.context.system[args.get("target")].call(args.get("method"), true)
        },
        Function("remember", args: [Argument("value", .integer)]) { p, args in
            try await p.context.saveSetting("remembered", try args.get("value", as: Int.self))
        },
        Function("peek", args: [Argument("target", .string), Argument("key", .string)]) { p, args in
            try await p.context.system[args.get("target")].status(args.get("key"))
        },
        Function("watch", args: [Argument("target", .string), Argument("key", .string)]) { p, args in
            let key: String = try args.get("key")
            try await p.context.system[args.get("target")].subscribe(key) { value in p.context.setStatus("seen_" + key, value) }
        },
    ]
    let context: ModuleContext
    init(context: ModuleContext) { self.context = context }
    func start() async throws {
        if context.settings.get("fail_start", default: false) { throw DriverError.failed("refusing to start") }
    }
    func update() async throws { context.set("updates", (context[status: "updates"]?.intValue ?? 0) + 1) }
}

/// Pipes standing in for the core: lines to the driver's stdin, lines from its stdout.
final class CoreSide: Sendable {
    let driverInput: Int32
    let driverOutput: Int32
    private let toDriver: Int32
    private let fromDriver: Int32
    let exitCode = Mutex<Int32?>(nil)
    private let buffer = Mutex<[UInt8]>([])
    /// Messages read while waiting for another one.
    private let skipped = Mutex<[JSON]>([])
    /// Keeps the process alive as long as the test's core side.
    private let process = Mutex<DriverProcess?>(nil)

    init() {
        var a: [Int32] = [0, 0], b: [Int32] = [0, 0]
        pipe(&a)
        pipe(&b)
        driverInput = a[0]; toDriver = a[1]
        fromDriver = b[0]; driverOutput = b[1]
    }

    func send(_ text: String) {
        let line = text + "\n"
        _ = line.withCString { write(toDriver, $0, strlen($0)) }
    }

    func closeInput() { close(toDriver) }

    /// The next line from the driver that matches; nil after 30 s. Lines that do not match are
    /// kept for a later call (answers to requests sent together may come in either order). What
    /// the driver wrote is read before the deadline is checked, so a test resumed late by a busy
    /// thread pool still finds a line that arrived in time.
    func next(where matches: (JSON) -> Bool = { _ in true }) async -> JSON? {
        let deadline = Date().addingTimeInterval(30)
        if let kept = skipped.withLock({ kept in kept.firstIndex(where: matches).map { kept.remove(at: $0) } }) { return kept }
        while true {
            if let line = takeLine() {
                guard let message = try? JSONParser.parse(line) else { continue }
                if matches(message) { return message }
                skipped.withLock { $0.append(message) }
                continue
            }
            var poller = pollfd(fd: fromDriver, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 0) > 0 else {
                guard Date() < deadline else { return nil }
                // Never block a cooperative thread: the driver actor needs them.
                try? await Task.sleep(for: .milliseconds(2))
                continue
            }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let count = read(fromDriver, &chunk, chunk.count)
            if count <= 0 { return nil }
            buffer.withLock { $0.append(contentsOf: chunk[0..<count]) }
        }
    }

    func result(_ seq: Int) async -> JSON? { await next { $0["type"] == "result" && $0["seq"]?.intValue == seq } }

    private func takeLine() -> [UInt8]? {
        buffer.withLock { bytes in
            guard let end = bytes.firstIndex(of: 0x0A) else { return nil }
            let line = Array(bytes[..<end])
            bytes.removeFirst(end + 1)
            return line
        }
    }

    @DriverActor func startProcess() -> DriverProcess {
        let process = DriverProcess(Probe.self, output: FileDescriptorOutput(fd: driverOutput))
        process.onExit = { [self] code in exitCode.withLock { $0 = code } }
        process.announce()
        process.run(input: driverInput)
        self.process.withLock { $0 = process }
        return process
    }
}

@Suite(.serialized) struct ProtocolLoopTests {
    @Test func readyCarriesMetadataAndRequestsGetResults() async throws {
        let core = CoreSide()
        let process = await core.startProcess()
        let ready = try #require(await core.next())
        #expect(ready["type"] == "ready" && ready["protocol"] == 1)
        #expect(ready["metadata"]?["functions"]?["echo"]?["args"]?.arrayValue?.first?["name"] == "text")

        core.send(#"{"type":"start","seq":1,"module":"m1","config":{"settings":{"greeting":"hello"}}}"#)
        #expect(await core.result(1)?["ok"] == true)
        core.send(#"{"type":"exec","seq":2,"module":"m1","method":"echo","args":["abc"]}"#)
        #expect(await core.result(2)?["value"] == "abc")
        core.send(#"{"type":"exec","seq":3,"module":"m1","method":"greet","args":[]}"#)
        #expect(await core.result(3)?["value"] == "hello")
        core.send(#"{"type":"exec","seq":4,"module":"nope","method":"echo","args":["x"]}"#)
        #expect(await core.result(4)?["error"]?["code"] == "unknown_module")
        core.send(#"{"type":"exec","seq":5,"module":"m1","method":"nope","args":[]}"#)
        #expect(await core.result(5)?["error"]?["code"] == "unknown_method")
        core.send(#"{"type":"exec","seq":6,"module":"m1","method":"echo","args":[1]}"#)
        #expect(await core.result(6)?["error"]?["message"] == "echo: text must be string, got integer")
        core.send(#"{"type":"exec","seq":7,"module":"m1","method":"fail","args":[]}"#)
        #expect(await core.result(7)?["error"] == ["code": "failed", "message": "it broke"])
        core.send("this is not json")
        core.send(#"{"no":"type"}"#)
        core.send(#"{"type":"launch","seq":8}"#)
        #expect(await core.result(8)?["ok"] == false)
        core.send(#"{"type":"info","seq":9}"#)
        #expect(await core.result(9)?["value"] == ["modules": ["m1"]])

        // Status: only changes are sent.
        core.send(#"{"type":"exec","seq":10,"module":"m1","method":"set","args":["power",true]}"#)
        core.send(#"{"type":"exec","seq":11,"module":"m1","method":"set","args":["power",true]}"#)
        core.send(#"{"type":"exec","seq":12,"module":"m1","method":"set","args":["power",false]}"#)
        var statuses: [JSON] = []
        while let message = await core.next(), message["seq"]?.intValue != 12 {
            if message["type"] == "status" { statuses.append(message["value"]!) }
        }
        #expect(statuses == [true, false])

        // Update without a connection change runs the update hook; settings are replaced.
        core.send(#"{"type":"update","seq":13,"module":"m1","config":{"settings":{"greeting":"hey"}}}"#)
        #expect(await core.result(13)?["ok"] == true)
        core.send(#"{"type":"exec","seq":14,"module":"m1","method":"greet","args":{}}"#)
        #expect(await core.result(14)?["value"] == "hey")

        core.send(#"{"type":"stop","seq":15,"module":"m1"}"#)
        #expect(await core.result(15)?["ok"] == true)
        core.send(#"{"type":"exec","seq":16,"module":"m1","method":"echo","args":["x"]}"#)
        #expect(await core.result(16)?["error"]?["code"] == "unknown_module")
        core.send(#"{"type":"terminate"}"#)
        for _ in 0..<500 where core.exitCode.withLock({ $0 }) == nil { try await Task.sleep(for: .milliseconds(10)) }
        #expect(core.exitCode.withLock { $0 } == 0)
        _ = process
    }

    @Test func aModuleThatFailsToStartDoesNotDisturbOthers() async throws {
        let core = CoreSide()
        _ = await core.startProcess()
        _ = await core.next()
        core.send(#"{"type":"start","seq":1,"module":"bad","config":{"settings":{"fail_start":true}}}"#)
        core.send(#"{"type":"start","seq":2,"module":"good","config":{}}"#)
        #expect(await core.result(1)?["error"] == ["code": "start_failed", "message": "refusing to start"])
        #expect(await core.result(2)?["ok"] == true)
        core.send(#"{"type":"exec","seq":3,"module":"bad","method":"echo","args":["x"]}"#)
        #expect(await core.result(3)?["error"]?["code"] == "failed")
        core.send(#"{"type":"exec","seq":4,"module":"good","method":"echo","args":["x"]}"#)
        #expect(await core.result(4)?["value"] == "x")
        core.closeInput()
        for _ in 0..<500 where core.exitCode.withLock({ $0 }) == nil { try await Task.sleep(for: .milliseconds(10)) }
        #expect(core.exitCode.withLock { $0 } == 0, "end of stdin ends the process")
    }

    @Test func logicModulesCallAndSubscribeThroughTheCore() async throws {
        let core = CoreSide()
        _ = await core.startProcess()
        _ = await core.next()
        core.send(#"{"type":"start","seq":1,"module":"logic","config":{"control_system_id":"sys-1"}}"#)
        _ = await core.result(1)

        core.send(#"{"type":"exec","seq":2,"module":"logic","method":"call","args":["Display_1","power"]}"#)
        let exec = try #require(await core.next { $0["type"] == "exec" })
        #expect(exec["module"] == "logic" && exec["target"] == "Display_1" && exec["method"] == "power" && exec["args"] == [true])
        core.send(#"{"type":"result","seq":\#(exec["seq"]!.intValue!),"ok":true,"value":"done"}"#)
        #expect(await core.result(2)?["value"] == "done")

        core.send(#"{"type":"exec","seq":3,"module":"logic","method":"call","args":["Nope_1","power"]}"#)
        let failing = try #require(await core.next { $0["type"] == "exec" })
        core.send(#"{"type":"result","seq":\#(failing["seq"]!.intValue!),"ok":false,"error":{"code":"unknown_module","message":"no Nope_1"}}"#)
        #expect(await core.result(3)?["error"]?["message"] == "unknown_module: no Nope_1")

        core.send(#"{"type":"exec","seq":4,"module":"logic","method":"watch","args":["Occupancy_1","presence"]}"#)
        let subscribe = try #require(await core.next { $0["type"] == "subscribe" })
        #expect(subscribe["target"] == "Occupancy_1" && subscribe["key"] == "presence")
        core.send(#"{"type":"result","seq":\#(subscribe["seq"]!.intValue!),"ok":true,"value":{"subscription":7,"value":false}}"#)
        #expect(await core.next { $0["type"] == "status" }?["value"] == false)
        core.send(#"{"type":"status","subscription":7,"module":"logic","key":"presence","value":true}"#)
        let seen = await core.next { $0["type"] == "status" }
        #expect(seen?["key"] == "seen_presence" && seen?["value"] == true)

        // Reading a status once is a subscribe followed by an unsubscribe.
        core.send(#"{"type":"exec","seq":6,"module":"logic","method":"peek","args":["HVAC_1","temperature"]}"#)
        let peek = try #require(await core.next { $0["type"] == "subscribe" })
        core.send(#"{"type":"result","seq":\#(peek["seq"]!.intValue!),"ok":true,"value":{"subscription":8,"value":21.5}}"#)
        #expect(await core.next { $0["type"] == "unsubscribe" }?["subscription"] == 8)
        #expect(await core.result(6)?["value"] == 21.5)

        // Persisting a setting goes to the core and waits for its answer.
        core.send(#"{"type":"exec","seq":7,"module":"logic","method":"remember","args":[42]}"#)
        let setting = try #require(await core.next { $0["type"] == "setting" })
        #expect(setting["module"] == "logic" && setting["key"] == "remembered" && setting["value"] == 42)
        core.send(#"{"type":"result","seq":\#(setting["seq"]!.intValue!),"ok":true,"value":null}"#)
        #expect(await core.result(7)?["ok"] == true)

        core.send(#"{"type":"stop","seq":5,"module":"logic"}"#)
        let unsubscribe = await core.next { $0["type"] == "unsubscribe" }
        #expect(unsubscribe?["subscription"] == 7)
        core.closeInput()
    }

    @Test func debugTurnsOnDebugLogLinesAndIgnoreTurnsThemOff() async throws {
        let core = CoreSide()
        _ = await core.startProcess()
        _ = await core.next()
        core.send(#"{"type":"start","seq":1,"module":"m","config":{}}"#)
        _ = await core.result(1)
        core.send(#"{"type":"debug","module":"m"}"#)
        core.send(#"{"type":"exec","seq":2,"module":"m","method":"echo","args":["a"]}"#)
        let log = await core.next { $0["type"] == "log" || $0["type"] == "result" }
        #expect(log?["type"] == "log" && log?["level"] == "debug")
        _ = await core.result(2)
        core.send(#"{"type":"ignore","module":"m"}"#)
        core.send(#"{"type":"exec","seq":3,"module":"m","method":"echo","args":["b"]}"#)
        #expect(await core.next { $0["type"] == "log" || $0["type"] == "result" }?["type"] == "result")
        core.closeInput()
    }

    /// The core sends `debug` before `start` for a module being debugged, so that the lines of
    /// its start (connecting, logging in) are forwarded too; `stop` forgets it.
    @Test func debugBeforeStartCountsFromTheStartAndStopForgetsIt() async throws {
        let core = CoreSide()
        _ = await core.startProcess()
        _ = await core.next()
        core.send(#"{"type":"debug","module":"m"}"#)
        core.send(#"{"type":"start","seq":1,"module":"m","config":{}}"#)
        _ = await core.result(1)
        core.send(#"{"type":"exec","seq":2,"module":"m","method":"echo","args":["a"]}"#)
        let log = await core.next { $0["type"] == "log" || $0["type"] == "result" }
        #expect(log?["type"] == "log" && log?["level"] == "debug")
        _ = await core.result(2)
        core.send(#"{"type":"stop","seq":3,"module":"m"}"#)
        _ = await core.result(3)
        core.send(#"{"type":"start","seq":4,"module":"m","config":{}}"#)
        _ = await core.result(4)
        core.send(#"{"type":"exec","seq":5,"module":"m","method":"echo","args":["b"]}"#)
        #expect(await core.next { $0["type"] == "log" || $0["type"] == "result" }?["type"] == "result")
        core.closeInput()
    }
}
