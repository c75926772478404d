import Foundation

extension RuntimeEngine {
    /// The status keys whose changes can change a module's condition.
    public static let conditionKeys: Set<String> = ["connected", "offline_reason", "degraded", "degraded_reason"]

    /// A module's condition: its run state, whether its device is connected and its polls
    /// succeed, why not, and since when (the first time this server saw it so).
    public func condition(of id: String) -> ModuleCondition {
        var condition = currentCondition(of: id)
        condition.since = state.withLock { state in
            if let seen = state.conditionsSeen[id], seen.state == condition.state { return seen.since }
            let now = Date()
            state.conditionsSeen[id] = (condition.state, now)
            return now
        }
        return condition
    }

    /// Stamps the time a module's condition changed, when it changes (not when first asked).
    func noteCondition(of id: String) { _ = condition(of: id) }

    private func currentCondition(of id: String) -> ModuleCondition {
        switch moduleState(id) {
        case .stopped: return ModuleCondition(state: .stopped)
        case .starting: return ModuleCondition(state: .starting)
        case .failed(let message): return ModuleCondition(state: .failed, reason: message)
        case .running:
            let values = status.values(module: id)
            func words(_ key: String) -> String? {
                guard let text = values[key]?.stringValue, !text.isEmpty else { return nil }
                return text
            }
            if values["connected"]?.boolValue == false { return ModuleCondition(state: .offline, reason: words("offline_reason")) }
            if values["degraded"]?.boolValue == true { return ModuleCondition(state: .degraded, reason: words("degraded_reason")) }
            return ModuleCondition(state: .online)
        }
    }
}
