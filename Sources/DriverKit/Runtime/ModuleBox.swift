/// One running module: the driver object, its context and its life (start, update, stop),
/// with the driver's concrete type erased so a process can hold any driver's modules.
@DriverActor
final class ModuleBox {
    let context: ModuleContext
    private let startHook: @DriverActor () async throws -> Void
    private let updateHook: @DriverActor () async throws -> Void
    private let stopHook: @DriverActor () async -> Void
    private let functions: [String: (spec: FunctionSpec, run: @DriverActor (Arguments) async throws -> JSON)]
    /// Finished once `start` ran; exec waits for it.
    private var starting: Task<DriverError?, Never>?

    init<D: DriverModule>(_ type: D.Type, context: ModuleContext) {
        let driver = D(context: context)
        self.context = context
        startHook = { try await driver.start() }
        updateHook = { try await driver.update() }
        stopHook = { await driver.stop() }
        var table: [String: (spec: FunctionSpec, run: @DriverActor (Arguments) async throws -> JSON)] = [:]
        for function in D.functions {
            let body = function.body
            table[function.spec.name] = (function.spec, { [unowned driver] args in try await body(driver, args) })
        }
        functions = table
        context.hooks.connected = { [weak driver] in
            guard let driver else { return }
            Task { await driver.connected() }
        }
        context.hooks.disconnected = { [weak driver] in driver?.disconnected() }
        context.hooks.received = { [weak driver] frame, command in driver?.received(frame, command: command) ?? .ignore }
        // Keep the driver alive as long as the box: the start hook closure holds it strongly.
    }

    /// Runs the start hook, then opens the connection. Returns the start error, if any.
    func start() async -> DriverError? {
        let task = Task { () -> DriverError? in
            for problem in context.settings.problems(against: context.info.settingsSchema) {
                context.logger.warning("settings: \(problem)")
            }
            do {
                try await startHook()
            } catch {
                context.logger.error("start failed: \(error.message)")
                return DriverError(.startFailed, error.message)
            }
            if !context.stopped { context.openConnection() }
            return nil
        }
        starting = task
        return await task.value
    }

    func update(_ config: ModuleConfig) async throws {
        _ = await starting?.value
        context.config = config
        context.settings = Settings(values: config.settings, defaults: context.info.defaultSettings)
        try await updateHook()
    }

    func stop() async {
        _ = await starting?.value
        await stopHook()
        context.shutdown()
    }

    func exec(_ method: String, _ args: JSON) async -> Result<JSON, DriverError> {
        if let failure = await starting?.value {
            return .failure(DriverError(.failed, "the module failed to start: \(failure.message)"))
        }
        guard let function = functions[method] else {
            return .failure(DriverError(.unknownMethod, "\(context.info.name) has no function \"\(method)\""))
        }
        do {
            let bound = try function.spec.bind(args)
            context.logger.debug("exec \(method)(\(args.serialized))")
            return .success(try await function.run(bound))
        } catch {
            return .failure(DriverError.from(error))
        }
    }
}
