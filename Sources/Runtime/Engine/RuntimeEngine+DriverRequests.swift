import ConfigRepo

extension RuntimeEngine {
    /// Answers a driver's `exec`, `subscribe` or `setting` (driver protocol §4).
    func driverRequest(_ message: [String: JSONValue]) async -> Result<JSONValue, RuntimeError> {
        guard let caller = message["module"]?.stringValue else {
            return .failure(RuntimeError(code: "bad_request", message: "`module` is missing"))
        }
        switch message["type"]?.stringValue {
        case "exec":
            guard let target = message["target"]?.stringValue, let method = message["method"]?.stringValue else {
                return .failure(RuntimeError(code: "bad_request", message: "exec needs `target` and `method`"))
            }
            let timeout = message["timeout_ms"]?.doubleValue.map { $0 / 1000 }
            switch resolveTarget(target, for: caller) {
            case .failure(let error): return .failure(error)
            case .success(let module):
                return await exec(module: module, method: method, args: message["args"] ?? .array([]), role: .admin,
                                  userID: caller, timeout: timeout)
            }
        case "subscribe":
            guard let target = message["target"]?.stringValue, let key = message["key"]?.stringValue else {
                return .failure(RuntimeError(code: "bad_request", message: "subscribe needs `target` and `key`"))
            }
            return subscribe(caller: caller, target: target, key: key)
        case "setting":
            guard let key = message["key"]?.stringValue else {
                return .failure(RuntimeError(code: "bad_request", message: "setting needs `key`"))
            }
            return persistSetting(module: caller, key: key, value: message["value"] ?? .null)
        default:
            return .failure(RuntimeError(code: "bad_request", message: "unknown request"))
        }
    }

    /// A module id, or a `Name_index` of the caller's own system (`Display` means `Display_1`).
    private func resolveTarget(_ target: String, for caller: String) -> Result<String, RuntimeError> {
        let (exists, system) = state.withLock { ($0.specs[target] != nil, $0.specs[caller]?.config["control_system_id"]?.stringValue) }
        if exists { return .success(target) }
        guard let system else {
            return .failure(RuntimeError(code: "unknown_module", message: "\(target) is not a module id and \(caller) belongs to no system"))
        }
        let (name, index) = SystemDirectory.parse(target)
        return resolve(system: system, name: name, index: index)
    }

    private func subscribe(caller: String, target: String, key: String) -> Result<JSONValue, RuntimeError> {
        let (exists, system) = state.withLock { ($0.specs[target] != nil, $0.specs[caller]?.config["control_system_id"]?.stringValue) }
        var subscription: Subscription
        if exists {
            subscription = Subscription(system: nil, name: target, index: 1, key: key, moduleID: target, handler: { _ in })
        } else if let system {
            let (name, index) = SystemDirectory.parse(target)
            guard case .success(let module) = resolve(system: system, name: name, index: index) else {
                return .failure(RuntimeError(code: "unknown_module", message: "system \(system) has no module \(name)_\(index)"))
            }
            subscription = Subscription(system: system, name: name, index: index, key: key, moduleID: module, handler: { _ in })
        } else {
            return .failure(RuntimeError(code: "unknown_module", message: "\(target) is not a module id and \(caller) belongs to no system"))
        }
        // The token doubles as the subscription number; the handler needs it, so reserve it first.
        let number = state.withLock { state in
            let token = state.nextToken
            state.nextToken += 1
            return token
        }
        subscription.handler = { [weak self] value in
            guard let host = self?.state.withLock({ $0.moduleHost[caller] }) else { return }
            host.deliver(subscription: number, module: caller, key: key, value: value)
        }
        subscription.owner = caller
        if let module = subscription.moduleID {
            subscription.statusToken = status.watch(module: module, key: key, subscription.handler)
        }
        state.withLock { $0.subscriptions[number] = subscription }
        let current = subscription.moduleID.flatMap { status.value(module: $0, key: key) } ?? .null
        return .success(.object(["subscription": .int(number), "value": current]))
    }

    /// Commits `key: value` into the module's `none`-level settings, authored by the module.
    private func persistSetting(module: String, key: String, value: JSONValue) -> Result<JSONValue, RuntimeError> {
        guard let repository else {
            return .failure(RuntimeError(code: "failed", message: "settings cannot be saved here (no repository)"))
        }
        do {
            let head = try repository.headSnapshot()
            guard var document = head.document(.module, module) else { return .failure(.unknownModule(module)) }
            var settings = document["settings"].map { Settings.parse($0).settings } ?? .empty
            settings[.none][key] = value
            document.members["settings"] = settings.json
            let author = Signature(name: module, email: "\(module)@modules.backoffice.local")
            let result = try repository.apply([.save(document)], author: author,
                                              message: "\(module) saves setting \(key)")
            return .success(.string(result.commit.id.description))
        } catch {
            return .failure(RuntimeError(code: "failed", message: "cannot save setting \(key): \(error)"))
        }
    }
}
