import ConfigRepo

extension RuntimeEngine {
    /// Watches `key` of the module at `name`/`index` of `system`, following the system's module
    /// order: after a re-order the subscription moves and `handler` gets the new module's value.
    /// Returns the token and the current value (nil when unset).
    public func subscribe(system: String, name: String, index: Int, key: String,
                          _ handler: @escaping StatusStore.KeyWatcher) -> Result<(token: Int, value: JSONValue?), RuntimeError> {
        switch resolve(system: system, name: name, index: index) {
        case .failure(let error): return .failure(error)
        case .success(let module):
            let token = add(Subscription(system: system, name: name, index: index, key: key, moduleID: module, handler: handler))
            return .success((token, status.value(module: module, key: key)))
        }
    }

    /// Watches `key` of one module by id.
    public func subscribe(module: String, key: String, _ handler: @escaping StatusStore.KeyWatcher) -> Result<(token: Int, value: JSONValue?), RuntimeError> {
        guard state.withLock({ $0.specs[module] != nil }) else { return .failure(.unknownModule(module)) }
        let token = add(Subscription(system: nil, name: module, index: 1, key: key, moduleID: module, handler: handler))
        return .success((token, status.value(module: module, key: key)))
    }

    public func unsubscribe(_ token: Int) {
        let statusToken = state.withLock { $0.subscriptions.removeValue(forKey: token)?.statusToken }
        if let statusToken { status.unwatch(statusToken) }
    }

    func add(_ subscription: Subscription, owner: String? = nil) -> Int {
        var subscription = subscription
        subscription.owner = owner
        if let module = subscription.moduleID {
            subscription.statusToken = status.watch(module: module, key: subscription.key, subscription.handler)
        }
        return state.withLock { state in
            let token = state.nextToken
            state.nextToken += 1
            state.subscriptions[token] = subscription
            return token
        }
    }

    /// The system's lookups changed: move its subscriptions to the modules now at their `Name_index`.
    func remap(system: String) {
        let moves: [(Int, Subscription, String?)] = state.withLock { state in
            var moves: [(Int, Subscription, String?)] = []
            for (token, subscription) in state.subscriptions where subscription.system == system {
                let target = state.directory.module(system: system, name: subscription.name, index: subscription.index)
                if target != subscription.moduleID { moves.append((token, subscription, target)) }
            }
            return moves
        }
        for (token, subscription, target) in moves {
            if let old = subscription.statusToken { status.unwatch(old) }
            let newToken = target.map { status.watch(module: $0, key: subscription.key, subscription.handler) }
            let stillThere = state.withLock { state in
                guard state.subscriptions[token] != nil else { return false }
                state.subscriptions[token]!.moduleID = target
                state.subscriptions[token]!.statusToken = newToken
                return true
            }
            if !stillThere, let newToken { status.unwatch(newToken); continue }
            subscription.handler(target.flatMap { status.value(module: $0, key: subscription.key) } ?? .null)
        }
    }
}
