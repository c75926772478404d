extension RuntimeEngine {
    /// Execs answered by driver processes since this engine started.
    public var execCount: Int { metrics.execs.load(ordering: .relaxed) }

    /// Every module of the applied configuration with its driver and health, sorted by module id:
    /// one pass for the Metrics page and each `/metrics` scrape (the engine's lock once, then each
    /// driver host's).
    public func moduleHealth() -> [ModuleHealthEntry] {
        let modules: [(id: String, driver: String, running: Bool, failed: Bool, host: DriverHost?)] = state.withLock { state in
            state.specs.values.map { ($0.id, $0.driverID, $0.running, state.failures[$0.id] != nil, state.moduleHost[$0.id]) }
        }
        return modules.map { module in
            let health: ModuleHealth
            if !module.running {
                health = .stopped
            } else if !module.failed, module.host?.runState(of: module.id) == .running,
                      status.value(module: module.id, key: "connected")?.boolValue != false {
                health = .online
            } else {
                health = .offline
            }
            return ModuleHealthEntry(module: module.id, driver: module.driver, health: health)
        }.sorted { $0.module < $1.module }
    }
}
