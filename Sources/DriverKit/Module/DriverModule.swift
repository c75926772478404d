/// What a Swift driver implements. One instance exists per running module.
///
/// ```swift
/// final class Echo: DriverModule {
///     static let info = DriverInfo(name: "Echo", moduleName: "Echo", role: .logic)
///     static let functions: [Function<Echo>] = [
///         Function("echo", args: [Argument("text", .string)]) { echo, args in try args.get("text", as: String.self) },
///     ]
///     let context: ModuleContext
///     init(context: ModuleContext) { self.context = context }
/// }
/// DriverMain.run(Echo.self)
/// ```
@DriverActor
public protocol DriverModule: AnyObject, Sendable {
    static var info: DriverInfo { get }
    static var functions: [Function<Self>] { get }

    init(context: ModuleContext)

    /// Runs before the transport connects; throwing marks the module failed (`start_failed`).
    func start() async throws
    /// Settings changed (connection fields did not).
    func update() async throws
    /// The module is being stopped; the context cancels schedules, queue and transport after.
    func stop() async
    /// The transport connected (device modules).
    func connected() async
    /// The transport lost its connection.
    func disconnected()
    /// One frame from the device (after the tokenizer). `command` is the command awaiting a
    /// response, if any; the verdict says what that frame means for it.
    func received(_ frame: [UInt8], command: QueuedCommand?) -> ResponseVerdict
}

extension DriverModule {
    public func start() async throws {}
    public func update() async throws {}
    public func stop() async {}
    public func connected() async {}
    public func disconnected() {}
    public func received(_ frame: [UInt8], command: QueuedCommand?) -> ResponseVerdict { .ignore }

    /// The full metadata object of this driver.
    public static var metadata: JSON { info.metadata(functions: functions.map(\.spec)) }
}
