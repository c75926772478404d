/// A module's logger: lines go to the core as `log` messages and show in the debug console.
@DriverActor
public final class Logger {
    let module: String
    weak var output: (any MessageOutput)?
    /// Set by `debug`/`ignore` from the core: forward `debug` and `trace` lines too.
    public internal(set) var debugging = false

    init(module: String, output: (any MessageOutput)?) {
        self.module = module
        self.output = output
    }

    public func log(_ level: LogLevel, _ message: @autoclosure () -> String) {
        guard level >= .info || debugging, let output else { return }
        output.send(["type": "log", "module": .string(module), "level": .string(level.rawValue), "message": .string(message())])
    }

    public func trace(_ message: @autoclosure () -> String) { log(.trace, message()) }
    public func debug(_ message: @autoclosure () -> String) { log(.debug, message()) }
    public func info(_ message: @autoclosure () -> String) { log(.info, message()) }
    public func warning(_ message: @autoclosure () -> String) { log(.warning, message()) }
    public func error(_ message: @autoclosure () -> String) { log(.error, message()) }
}
