/// One running module: the driver object, its context and its life (start, update, stop),
/// with the driver's concrete type erased so a process can hold any driver's modules.
@DriverActor
final class ModuleBox {
    let context: ModuleContext
    private let driver: any DriverModule
    /// Shared by every module of the process (one table per driver type, not per module).
    private let functions: FunctionTable
    private var startState = StartState.notStarted

    /// Whether `start` ran: exec, update and stop wait for it. Once it has, only its outcome is
    /// kept, not the task (a finished task kept alive holds its first memory slab, about 1 KiB).
    private enum StartState {
        case notStarted
        case running(Task<DriverError?, Never>)
        case finished(DriverError?)
    }

    init<D: DriverModule>(_ type: D.Type, context: ModuleContext, functions: FunctionTable) {
        let driver = D(context: context)
        self.context = context
        self.driver = driver
        self.functions = functions
        context.hooks.connected = { [weak driver] in
            guard let driver else { return }
            Task { await driver.connected() }
        }
        context.hooks.disconnected = { [weak driver] in driver?.disconnected() }
        context.hooks.received = { [weak driver] frame, command in driver?.received(frame, command: command) ?? .ignore }
    }

    /// Runs the start hook, then opens the connection. Returns the start error, if any.
    func start() async -> DriverError? {
        let task = Task { () -> DriverError? in
            for problem in context.settings.problems(against: context.info.settingsSchema) {
                context.logger.warning("settings: \(problem)")
            }
            do {
                try await driver.start()
            } catch {
                context.logger.error("start failed: \(error.message)")
                return DriverError(.startFailed, error.message)
            }
            if !context.stopped { context.openConnection() }
            return nil
        }
        startState = .running(task)
        let outcome = await task.value
        startState = .finished(outcome)
        return outcome
    }

    /// The start hook's error once it has run (nil: it succeeded or was never asked to run).
    private func startOutcome() async -> DriverError? {
        switch startState {
        case .notStarted: return nil
        case .running(let task): return await task.value
        case .finished(let outcome): return outcome
        }
    }

    func update(_ config: ModuleConfig) async throws {
        _ = await startOutcome()
        context.config = config
        context.settings = Settings(values: config.settings, defaults: context.info.defaultSettings)
        try await driver.update()
    }

    func stop() async {
        _ = await startOutcome()
        await driver.stop()
        context.shutdown()
    }

    func exec(_ method: String, _ args: JSON) async -> Result<JSON, DriverError> {
        if let failure = await startOutcome() {
            return .failure(DriverError(.failed, "the module failed to start: \(failure.message)"))
        }
        guard let function = functions.entries[method] else {
            return .failure(DriverError(.unknownMethod, "\(context.info.name) has no function \"\(method)\""))
        }
        do {
            let bound = try function.spec.bind(args)
            context.logger.debug("exec \(method)(\(args.serialized))")
            return .success(try await function.run(driver, bound))
        } catch {
            return .failure(DriverError.from(error))
        }
    }
}
