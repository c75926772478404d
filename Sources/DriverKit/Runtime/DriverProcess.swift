#if canImport(Glibc)
import Glibc
#endif

/// The driver side of the protocol (`docs/driver-protocol.md`): receives the core's messages,
/// runs modules of one driver type, and sends results, status, logs and module-to-module
/// requests. One per driver process.
@DriverActor
public final class DriverProcess {
    let output: any MessageOutput
    private let info: DriverInfo
    private let metadata: JSON
    private let makeModule: @DriverActor (ModuleContext) -> ModuleBox
    private var modules: [String: ModuleBox] = [:]
    /// Modules the core asked to debug. `debug` may come before `start`, so that a module's
    /// first lines (connecting, logging in) are forwarded too; `stop` forgets it.
    private var debugged: Set<String> = []
    private var nextSeq = 1
    private var pending: [Int: CheckedContinuation<JSON, any Error>] = [:]
    var subscriptions: [Int: @DriverActor (JSON) -> Void] = [:]
    /// Called when the core says `terminate` or closes stdin, after modules stopped.
    public var onExit: @DriverActor (Int32) -> Void = { exit($0) }

    public init<D: DriverModule>(_ type: D.Type, output: any MessageOutput) {
        self.output = output
        info = D.info
        metadata = D.metadata
        let functions = FunctionTable(D.self)
        makeModule = { context in ModuleBox(D.self, context: context, functions: functions) }
    }

    /// Ids of running modules.
    public var moduleIDs: [String] { modules.keys.sorted() }

    /// Sends `ready`.
    public func announce() {
        output.send(["type": "ready", "protocol": 1, "metadata": metadata])
    }

    /// Reads protocol lines from `fd` (stdin) until end of file.
    public func run(input fd: Int32) {
        let reader = LineReader(fd: fd) { [weak self] events in
            guard let self else { return }
            for event in events {
                switch event {
                case .line(let bytes): self.handle(line: bytes)
                case .tooLong: self.protocolError("a line longer than 16 MiB was dropped")
                case .endOfFile: self.shutdown(status: 0)
                }
            }
        }
        reader.start()
    }

    public func handle(line bytes: [UInt8]) {
        if bytes.isEmpty || bytes == [0x0D] { return }
        let message: JSON
        do { message = try JSONParser.parse(bytes) } catch {
            protocolError("line is not JSON (\(error)): \(printable(Array(bytes.prefix(120))))")
            return
        }
        handle(message)
    }

    public func handle(_ message: JSON) {
        guard case .object = message, let type = message["type"]?.stringValue else {
            protocolError("message is not an object with a type: \(message.serialized.prefix(120))")
            return
        }
        let seq = message["seq"]?.intValue
        let module = message["module"]?.stringValue ?? ""
        switch type {
        case "start":
            guard let seq else { return protocolError("start without seq") }
            start(ModuleConfig(json: message["config"] ?? [:], module: module), seq: seq)
        case "update":
            guard let seq else { return protocolError("update without seq") }
            update(ModuleConfig(json: message["config"] ?? [:], module: module), seq: seq)
        case "stop":
            guard let seq else { return protocolError("stop without seq") }
            debugged.remove(module)
            guard let box = modules.removeValue(forKey: module) else {
                return reply(seq, .success(.null))  // already stopped: stopping is idempotent
            }
            Task {
                await box.stop()
                reply(seq, .success(.null))
            }
        case "exec":
            guard let seq else { return protocolError("exec without seq") }
            guard let box = modules[module] else { return reply(seq, .failure(unknownModule(module))) }
            let method = message["method"]?.stringValue ?? ""
            let args = message["args"] ?? .array([])
            // Preferring the loop keeps the exec on its thread when the device's answer resumes it.
            let run: @DriverActor @Sendable () async -> Void = { [self] in reply(seq, await box.exec(method, args)) }
            Task(executorPreference: DriverLoop.shared, operation: run)
        case "debug", "ignore":
            if type == "debug" { debugged.insert(module) } else { debugged.remove(module) }
            modules[module]?.context.logger.debugging = type == "debug"
        case "info":
            guard let seq else { return protocolError("info without seq") }
            reply(seq, .success(["modules": .array(moduleIDs.map { .string($0) })]))
        case "status":
            guard let number = message["subscription"]?.intValue else { return protocolError("status without subscription") }
            subscriptions[number]?(message["value"] ?? .null)
        case "result":
            guard let seq, let waiter = pending.removeValue(forKey: seq) else {
                return protocolError("result for unknown seq \(seq.map(String.init) ?? "none")")
            }
            if message["ok"]?.boolValue == true {
                waiter.resume(returning: message["value"] ?? .null)
            } else {
                let error = message["error"]
                waiter.resume(throwing: RemoteError(code: error?["code"]?.stringValue ?? "failed",
                                                    message: error?["message"]?.stringValue ?? "request failed"))
            }
        case "terminate":
            shutdown(status: 0)
        default:
            protocolError("unknown message type \"\(type)\"")
            if let seq { reply(seq, .failure(DriverError(.failed, "unknown message type \"\(type)\""))) }
        }
    }

    // MARK: module life

    private func start(_ config: ModuleConfig, seq: Int) {
        if let old = modules.removeValue(forKey: config.module) {
            Task { await old.stop() }
        }
        let box = makeModule(ModuleContext(config: config, info: info, process: self))
        box.context.logger.debugging = debugged.contains(config.module)
        modules[config.module] = box
        Task {
            if let failure = await box.start() {
                reply(seq, .failure(failure))
            } else {
                reply(seq, .success(.null))
            }
        }
    }

    private func update(_ config: ModuleConfig, seq: Int) {
        guard let box = modules[config.module] else { return reply(seq, .failure(unknownModule(config.module))) }
        if config.connectionDiffers(from: box.context.config) {
            modules[config.module] = nil
            Task {
                await box.stop()
                start(config, seq: seq)
            }
            return
        }
        Task {
            do {
                try await box.update(config)
                reply(seq, .success(.null))
            } catch {
                reply(seq, .failure(DriverError.from(error)))
            }
        }
    }

    private func shutdown(status: Int32) {
        let boxes = Array(modules.values)
        modules = [:]
        Task {
            for box in boxes { await box.stop() }
            onExit(status)
        }
    }

    // MARK: messages

    private func reply(_ seq: Int, _ result: Result<JSON, DriverError>) {
        switch result {
        case .success(let value): output.send(["type": "result", "seq": .number(Double(seq)), "ok": true, "value": value])
        case .failure(let error): output.send(["type": "result", "seq": .number(Double(seq)), "ok": false, "error": error.json])
        }
    }

    private func unknownModule(_ module: String) -> DriverError {
        DriverError(.unknownModule, "module \"\(module)\" is not running in this process")
    }

    /// Sends a driver → core request and waits for its `result`.
    func request(_ message: JSON) async throws -> JSON {
        guard case .object(var members) = message else { throw DriverError.failed("request must be an object") }
        let seq = nextSeq
        nextSeq += 1
        members["seq"] = .number(Double(seq))
        return try await withCheckedThrowingContinuation { waiter in
            pending[seq] = waiter
            output.send(.object(members))
        }
    }

    func unsubscribe(_ subscription: Int, module: String) {
        guard subscriptions.removeValue(forKey: subscription) != nil else { return }
        output.send(["type": "unsubscribe", "module": .string(module), "subscription": .number(Double(subscription))])
    }

    private func protocolError(_ text: String) {
        let line = "protocol error: \(text)\n"
        _ = line.withCString { write(2, $0, strlen($0)) }
    }
}
