import ConfigRepo
import Foundation

/// Running a firing's actions, and checking function actions against the drivers that will run them.
extension TriggerEngine {
    /// Runs the actions of a firing on the cooperative pool (each step has its own deadline),
    /// then counts and logs what failed.
    @discardableResult
    func runActions(of live: LiveTriggerInstance, manual: Bool) -> Task<[TriggerActionOutcome], Never> {
        let now = Date()
        let spec = live.spec
        let firing = TriggerFiring(instanceID: spec.id, triggerID: spec.config.triggerID, triggerName: spec.definition.name,
                                   systemID: spec.systemID, systemName: spec.systemName, firedAt: now, manual: manual,
                                   state: live.state(at: now))
        log("trigger \"\(spec.definition.name)\" fired\(manual ? " by hand" : "") in \(spec.systemName) (\(spec.id))")
        let mailSettings = registry.withLock { $0.mailSettings }
        return Task { [weak self, runner, runtime] in
            let outcomes = await runner.run(firing, definition: spec.definition, runtime: runtime, mailSettings: mailSettings)
            let failures = outcomes.filter { $0.error != nil }
            guard let self, !failures.isEmpty else { return outcomes }
            live.inner.withLock { inner in
                inner.evaluator.recordActionErrors(failures.count)
                inner.lastError = failures.last.map { "\($0.action): \($0.error!)" }
            }
            for failure in failures {
                self.log("trigger \"\(spec.definition.name)\" in \(spec.systemName): \(failure.action) failed: \(failure.error!)")
            }
            self.registry.withLock { $0.dirty = true }
            self.publish(live)
            return outcomes
        }
    }

    /// Checks the function actions against the drivers of their modules, where those run now:
    /// the module exists in the system, has the function, and the arguments fit its schema.
    func checkActions(of live: LiveTriggerInstance) {
        guard let runtime else { return }
        var problems: [String: String?] = [:]
        for (index, function) in live.definition.functions.enumerated() {
            let key = "actions.functions[\(index)]"
            switch runtime.resolve(system: live.spec.systemID, name: function.module, index: function.index) {
            case .failure(let error):
                problems[key] = "\(key): \(error.message)"
            case .success(let module):
                guard let functions = runtime.metadata(ofModule: module)?.functions else { continue }
                if let spec = functions[function.method] {
                    problems[key] = ArgumentChecker.problem(with: function.args, for: spec).map { "\(key): \(function.target): \($0)" } ?? .some(nil)
                } else {
                    problems[key] = "\(key): \(function.module)_\(function.index) has no function `\(function.method)` (it has: \(functions.keys.sorted().joined(separator: ", ")))"
                }
            }
        }
        guard !problems.isEmpty else { return }
        let changed = live.inner.withLock { inner in
            let before = inner.actionProblems
            for (key, problem) in problems { inner.actionProblems[key] = problem }
            return inner.actionProblems != before
        }
        if changed { publish(live) }
    }

    func moduleRunning(_ module: String) {
        let instances: [LiveTriggerInstance] = registry.withLock { registry in
            (registry.systemsByModule[module] ?? []).flatMap { registry.bySystem[$0] ?? [] }.compactMap { registry.instances[$0] }
        }
        for live in instances where !live.definition.functions.isEmpty { checkActions(of: live) }
    }
}
