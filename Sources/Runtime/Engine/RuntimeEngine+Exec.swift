import ConfigRepo

extension RuntimeEngine {
    /// The module at `Name_index` of a system: `unknown_system` or `unknown_module` when there is none.
    public func resolve(system: String, name: String, index: Int) -> Result<String, RuntimeError> {
        let directory = state.withLock { $0.directory }
        guard directory.contains(system: system) else {
            return .failure(RuntimeError(code: "unknown_system", message: "system \(system) does not exist"))
        }
        guard let module = directory.module(system: system, name: name, index: index) else {
            return .failure(RuntimeError(code: "unknown_module", message: "system \(system) has no module \(name)_\(index)"))
        }
        return .success(module)
    }

    /// May `role` call `function` on a module addressed as `name`? The one place REST and the
    /// WebSocket API check per-function security (placeos-api §5, §8).
    public static func authorize(role: Role, function: FunctionSpec?, moduleName: String?) -> RuntimeError? {
        if let moduleName, moduleName.hasPrefix("_"), role < .support {
            return RuntimeError(code: "access_denied", message: "modules whose name starts with _ need the support role")
        }
        if let function, role < function.requiredRole {
            let level = function.requiredRole == .admin ? "administrator" : "support"
            return RuntimeError(code: "access_denied", message: "\(function.name) needs the \(level) role; you are \(role)")
        }
        return nil
    }

    /// Calls `method` on a module after checking it exists, runs, has the function, that `role`
    /// may call it and that `args` fit its schema. Always answers, at the latest after `timeout`.
    public func exec(module: String, method: String, args: JSONValue, role: Role, userID: String? = nil,
                     moduleName: String? = nil, timeout: Double? = nil) async -> Result<JSONValue, RuntimeError> {
        await withCheckedContinuation { continuation in
            exec(module: module, method: method, args: args, role: role, userID: userID, moduleName: moduleName, timeout: timeout) {
                continuation.resume(returning: $0)
            }
        }
    }

    /// `exec` for callers that need no task: `completion` runs exactly once, at once when a check
    /// refuses the call, else on the thread that reads the driver's answer (or its timeout). It
    /// must not block. The WebSocket control API answers this way, a task hop less per call.
    public func exec(module: String, method: String, args: JSONValue, role: Role, userID: String? = nil,
                     moduleName: String? = nil, timeout: Double? = nil,
                     completion: @escaping @Sendable (Result<JSONValue, RuntimeError>) -> Void) {
        let (spec, host, failure) = state.withLock { ($0.specs[module], $0.moduleHost[module], $0.failures[module]) }
        guard let spec else { return completion(.failure(.unknownModule(module))) }
        if let refusal = Self.authorize(role: role, function: nil, moduleName: moduleName) { return completion(.failure(refusal)) }
        if let failure { return completion(.failure(.notRunning(module, "it failed to start: \(failure)"))) }
        guard let host else { return completion(.failure(.notRunning(module, "it is stopped"))) }
        guard let metadata = host.metadata else {
            return completion(.failure(.notRunning(module, "its driver process is starting")))
        }
        guard let function = metadata.functions[method] else {
            let known = metadata.functions.keys.sorted().joined(separator: ", ")
            return completion(.failure(RuntimeError(code: "unknown_method", message: "module \(module) has no function `\(method)` (it has: \(known))")))
        }
        if let refusal = Self.authorize(role: role, function: function, moduleName: moduleName) { return completion(.failure(refusal)) }
        if let problem = ArgumentChecker.problem(with: args, for: function) {
            return completion(.failure(RuntimeError(code: "bad_arguments", message: problem)))
        }
        let start = ContinuousClock.now
        let metrics = self.metrics
        host.exec(module: module, method: method, args: args, timeout: timeout, userID: userID) { result in
            metrics.execSeconds.labels(spec.driverID).observe(since: start)
            metrics.execs.add(1, ordering: .relaxed)
            if case .failure = result { metrics.execFailures.labels(spec.driverID).increment() }
            completion(result)
        }
    }

    /// `exec` addressed by system and `Name_index`.
    public func exec(system: String, name: String, index: Int, method: String, args: JSONValue, role: Role,
                     userID: String? = nil, timeout: Double? = nil) async -> Result<JSONValue, RuntimeError> {
        await withCheckedContinuation { continuation in
            exec(system: system, name: name, index: index, method: method, args: args, role: role, userID: userID, timeout: timeout) {
                continuation.resume(returning: $0)
            }
        }
    }

    /// `exec` addressed by system and `Name_index`, answering through `completion` (see above).
    public func exec(system: String, name: String, index: Int, method: String, args: JSONValue, role: Role,
                     userID: String? = nil, timeout: Double? = nil,
                     completion: @escaping @Sendable (Result<JSONValue, RuntimeError>) -> Void) {
        switch resolve(system: system, name: name, index: index) {
        case .failure(let error): completion(.failure(error))
        case .success(let module):
            exec(module: module, method: method, args: args, role: role, userID: userID, moduleName: name, timeout: timeout,
                 completion: completion)
        }
    }

    /// The functions a module's driver offers (empty until its process is ready).
    public func functions(ofModule id: String) -> [String: FunctionSpec]? {
        guard state.withLock({ $0.specs[id] != nil }) else { return nil }
        return metadata(ofModule: id)?.functions ?? [:]
    }

    /// SIGKILLs the process hosting a module (operators' "kill", tests); it restarts as after a crash.
    public func killProcess(ofModule id: String) {
        state.withLock { $0.moduleHost[id] }?.killProcess()
    }
}
