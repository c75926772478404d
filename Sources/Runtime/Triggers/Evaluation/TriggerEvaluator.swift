import Foundation

/// When one trigger instance fires, without clocks, timers or I/O: each input says what time
/// it is, and the answer says whether to run the actions now. The engine feeds it comparison
/// results, pulses and timer ticks, and schedules a tick at `nextDeadline` (docs/triggers.md).
///
/// - All conditions must hold (AND). Comparisons hold while true; `at`, `cron` and webhook
///   pulses hold for `debounce` seconds after they come (an instant when it is 0); `for N`
///   holds once every comparison has been true for N seconds without a break.
/// - It fires on the false → true edge only, at most once per `debounce`: an edge that comes
///   sooner fires when the period ends, if the conditions still hold then.
/// - Until every comparison has a first result (its statuses reported), nothing changes:
///   a restart does not fire again what was already triggered before it.
public struct TriggerEvaluator: Sendable, Equatable {
    /// What a restart keeps (the state file), and what the site shows.
    public struct Counters: Sendable, Equatable {
        public var triggerCount = 0
        public var actionErrors = 0
        public var comparisonErrors = 0
        public var lastFired: Date?

        public init(triggerCount: Int = 0, actionErrors: Int = 0, comparisonErrors: Int = 0, lastFired: Date? = nil) {
            self.triggerCount = triggerCount
            self.actionErrors = actionErrors
            self.comparisonErrors = comparisonErrors
            self.lastFired = lastFired
        }
    }

    public enum Pulse: Hashable, Sendable {
        /// The time condition at this index of `time_dependents` (`at`, `cron`).
        case time(Int)
        case webhook
    }

    let timeConditions: [TimeCondition]
    let webhook: Bool
    let debounce: Double

    public private(set) var comparisons: [Bool]
    private var known: [Bool]
    /// Pulses that hold, and until when.
    private var pulses: [Pulse: Date] = [:]
    /// Since when every comparison has been true (nil: not all are).
    public private(set) var heldSince: Date?
    public private(set) var triggered = false
    /// An edge came within `debounce` of the last firing; it fires when the period ends.
    private var pendingFire = false
    public var counters = Counters()

    public init(comparisons: Int, timeConditions: [TimeCondition], webhook: Bool, debounce: Double) {
        self.comparisons = Array(repeating: false, count: comparisons)
        known = Array(repeating: false, count: comparisons)
        self.timeConditions = timeConditions
        self.webhook = webhook
        self.debounce = max(0, debounce)
    }

    /// Puts back what the state file kept, before the first input.
    public mutating func restore(counters: Counters, triggered: Bool, heldSince: Date?) {
        self.counters = counters
        self.triggered = triggered
        self.heldSince = heldSince
    }

    /// A comparison's new result; a failure counts as a comparison error and is false.
    /// Returns true when the actions must run now.
    public mutating func setComparison(_ index: Int, _ result: Result<Bool, ComparisonOperator.Failure>, at now: Date) -> Bool {
        guard comparisons.indices.contains(index) else { return false }
        switch result {
        case .success(let holds): comparisons[index] = holds
        case .failure:
            comparisons[index] = false
            counters.comparisonErrors += 1
        }
        known[index] = true
        return evaluate(at: now)
    }

    /// A time or webhook pulse came. Returns true when the actions must run now.
    public mutating func pulse(_ pulse: Pulse, at now: Date) -> Bool {
        pulses[pulse] = now.addingTimeInterval(debounce)
        let fire = evaluate(at: now, expiring: false)
        if debounce == 0 {
            pulses[pulse] = nil
            _ = evaluate(at: now)
        }
        return fire
    }

    /// A scheduled moment (`nextDeadline`) came. Returns true when the actions must run now.
    public mutating func tick(at now: Date) -> Bool {
        evaluate(at: now)
    }

    /// Counts failed actions of a firing.
    public mutating func recordActionErrors(_ count: Int) {
        counters.actionErrors += count
    }

    /// An admin's "fire now": counted as a firing, whatever the conditions.
    public mutating func recordManualFiring(at now: Date) {
        counters.triggerCount += 1
        counters.lastFired = now
    }

    /// When `tick` must run next: a `for` period or pulse ending, or a held-off edge's period.
    public var nextDeadline: Date? {
        var deadlines: [Date] = Array(pulses.values)
        if let heldSince {
            for case .held(let seconds) in timeConditions { deadlines.append(heldSince.addingTimeInterval(seconds)) }
        }
        if pendingFire, let last = counters.lastFired { deadlines.append(last.addingTimeInterval(debounce)) }
        return deadlines.min()
    }

    /// Every condition's current value, under PlaceOS's names (`comparison_0`, `time_0`, `webhook`).
    public func conditions(at now: Date) -> [String: Bool] {
        var result: [String: Bool] = [:]
        for (index, holds) in comparisons.enumerated() { result["comparison_\(index)"] = holds }
        for index in timeConditions.indices { result["time_\(index)"] = timeConditionHolds(index, at: now) }
        if webhook { result["webhook"] = pulses[.webhook] != nil }
        return result
    }

    private func timeConditionHolds(_ index: Int, at now: Date) -> Bool {
        switch timeConditions[index] {
        case .held(let seconds): heldSince.map { now >= $0.addingTimeInterval(seconds) } ?? false
        case .at, .cron: pulses[.time(index)] != nil
        }
    }

    private mutating func evaluate(at now: Date, expiring: Bool = true) -> Bool {
        if expiring { pulses = pulses.filter { $0.value > now } }
        guard known.allSatisfy({ $0 }) else { return false }
        if comparisons.allSatisfy({ $0 }) {
            if heldSince == nil || heldSince! > now { heldSince = now }
        } else {
            heldSince = nil
        }
        let holds = comparisons.allSatisfy { $0 } && timeConditions.indices.allSatisfy { timeConditionHolds($0, at: now) }
            && (!webhook || pulses[.webhook] != nil)
        guard holds else {
            triggered = false
            pendingFire = false
            return false
        }
        if triggered && !pendingFire { return false }
        triggered = true
        if let last = counters.lastFired, now < last.addingTimeInterval(debounce) {
            pendingFire = true
            return false
        }
        pendingFire = false
        counters.triggerCount += 1
        counters.lastFired = now
        return true
    }
}
