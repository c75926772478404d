import ConfigRepo
import Foundation
import Synchronization

/// One running trigger instance: the values its comparisons see, its evaluator, and what it
/// holds in the runtime (status subscriptions). Every input runs under the instance's own lock,
/// so 10,000 instances evaluate in parallel without a global lock; what an input asks for
/// (run the actions, a timer, tell watchers) is returned and done by the engine outside it.
final class LiveTriggerInstance: Sendable {
    /// What an input leads to.
    struct Outcome {
        var fire = false
        /// The evaluator's next deadline, when the engine must schedule a tick for it.
        var schedule: Date?
        /// The state changed: tell watchers, save it.
        var changed = false
    }

    struct Inner {
        var evaluator: TriggerEvaluator
        /// The current value of each comparison's sides ([left, right]); nil: no value.
        var operands: [[JSONValue?]]
        /// Sides that have a value to compare (constants always; a status once it reported).
        var ready: [[Bool]]
        var tokens: [Int] = []
        var stopped = false
        /// The earliest tick already scheduled.
        var scheduledTick: Date?
        var lastError: String?
        /// Problems found while running: a module the system lacks, an unknown function …
        var bindingProblems: [String] = []
        var actionProblems: [String: String] = [:]
    }

    let spec: TriggerInstanceSpec
    let inner: Mutex<Inner>

    init(spec: TriggerInstanceSpec, restored: TriggerStateFile.Entry?) {
        self.spec = spec
        let definition = spec.definition
        var evaluator = TriggerEvaluator(comparisons: definition.comparisons.count, timeConditions: definition.timeConditions,
                                         webhook: definition.webhookEnabled, debounce: definition.debounce)
        if let restored { evaluator.restore(counters: restored.counters, triggered: restored.triggered, heldSince: restored.heldSince) }
        var operands: [[JSONValue?]] = []
        var ready: [[Bool]] = []
        for comparison in definition.comparisons {
            let sides = [comparison.left, comparison.right]
            operands.append(sides.map { if case .constant(let value) = $0 { value } else { nil } })
            ready.append(sides.map { $0.reference == nil })
        }
        inner = Mutex(Inner(evaluator: evaluator, operands: operands, ready: ready))
    }

    var definition: TriggerDefinition { spec.definition }

    /// A status side's value arrived (`initial`: the value when subscribing, where a missing
    /// status is not yet an error; later deliveries are publishes, where it is one).
    func deliver(comparison index: Int, left: Bool, value: JSONValue?, initial: Bool, at now: Date) -> Outcome {
        let comparison = definition.comparisons[index]
        guard let reference = (left ? comparison.left : comparison.right).reference else { return Outcome() }
        let side = left ? 0 : 1
        return step(at: now) { inner in
            if initial && inner.ready[index][side] { return false }  // a publish overtook the subscription's answer
            let dug = reference.dig(value)
            if initial && dug == nil { return false }
            inner.operands[index][side] = dug
            inner.ready[index][side] = true
            guard inner.ready[index].allSatisfy({ $0 }) else { return false }
            let result = comparison.op.evaluate(inner.operands[index][0], inner.operands[index][1])
            if case .failure(let failure) = result {
                inner.lastError = "comparison_\(index) (\(Self.describe(comparison))): \(failure)"
            }
            return inner.evaluator.setComparison(index, result, at: now)
        }
    }

    /// Evaluates the comparisons with constants on both sides (once, at start).
    func evaluateConstants(at now: Date) -> Outcome {
        step(at: now) { inner in
            var fire = false
            for (index, comparison) in definition.comparisons.enumerated()
            where comparison.left.reference == nil && comparison.right.reference == nil {
                fire = inner.evaluator.setComparison(index, comparison.op.evaluate(inner.operands[index][0], inner.operands[index][1]), at: now) || fire
            }
            return fire
        }
    }

    func pulse(_ pulse: TriggerEvaluator.Pulse, at now: Date) -> Outcome {
        step(at: now) { $0.evaluator.pulse(pulse, at: now) }
    }

    /// The tick scheduled for `deadline` came (at `now`, maybe a little early or late).
    func tick(scheduledFor deadline: Date, at now: Date) -> Outcome {
        step(at: max(now, deadline)) { inner in
            if inner.scheduledTick == deadline { inner.scheduledTick = nil }
            return inner.evaluator.tick(at: max(now, deadline))
        }
    }

    var isStopped: Bool { inner.withLock { $0.stopped } }

    /// Runs one input under the lock; says whether to fire, whether the state changed and when
    /// to tick next (only when that is earlier than the tick already scheduled).
    private func step(at now: Date, _ input: (inout Inner) -> Bool) -> Outcome {
        inner.withLock { inner in
            guard !inner.stopped else { return Outcome() }
            let before = inner.evaluator
            var outcome = Outcome()
            outcome.fire = input(&inner)
            outcome.changed = inner.evaluator != before
            if let deadline = inner.evaluator.nextDeadline, inner.scheduledTick.map({ deadline < $0 }) ?? true {
                inner.scheduledTick = deadline
                outcome.schedule = deadline
            }
            return outcome
        }
    }

    static func describe(_ comparison: Comparison) -> String {
        func side(_ operand: Comparison.Operand) -> String {
            switch operand {
            case .constant(let value): JSONWriter.compactString(value)
            case .status(let reference): reference.description
            }
        }
        return "\(side(comparison.left)) \(comparison.op.rawValue) \(side(comparison.right))"
    }

    /// The state as the site shows it.
    func state(at now: Date) -> TriggerInstanceState {
        inner.withLock { inner in
            let counters = inner.evaluator.counters
            return TriggerInstanceState(
                instanceID: spec.id, triggerID: spec.config.triggerID, systemID: spec.systemID, enabled: spec.isEnabled,
                execEnabled: spec.config.execEnabled, important: spec.config.important, triggerName: spec.definition.name,
                systemName: spec.systemName, triggered: inner.evaluator.triggered, triggerCount: counters.triggerCount, actionErrors: counters.actionErrors,
                comparisonErrors: counters.comparisonErrors, conditions: inner.evaluator.conditions(at: now),
                lastFired: counters.lastFired, lastError: inner.lastError,
                problems: spec.problems + inner.bindingProblems + inner.actionProblems.keys.sorted().map { inner.actionProblems[$0]! })
        }
    }

    /// What the state file keeps.
    var savedState: TriggerStateFile.Entry {
        inner.withLock { TriggerStateFile.Entry(counters: $0.evaluator.counters, triggered: $0.evaluator.triggered, heldSince: $0.evaluator.heldSince) }
    }
}
