import ConfigRepo
import Cron
import Foundation
import Testing
@testable import Runtime

/// The firing rules without clocks: every input carries its time.
@Suite struct TriggerEvaluatorTests {
    let t0 = Date(timeIntervalSince1970: 1_750_000_000)
    func at(_ seconds: Double) -> Date { t0.addingTimeInterval(seconds) }
    let yes = Result<Bool, ComparisonOperator.Failure>.success(true)
    let no = Result<Bool, ComparisonOperator.Failure>.success(false)

    // MARK: operators

    struct Case: Sendable, CustomTestStringConvertible {
        var op: ComparisonOperator
        var left: JSONValue
        var right: JSONValue
        var holds: Bool
        init(_ op: ComparisonOperator, _ left: JSONValue, _ right: JSONValue, _ holds: Bool) {
            (self.op, self.left, self.right, self.holds) = (op, left, right, holds)
        }
        var testDescription: String { "\(JSONWriter.compactString(left)) \(op.rawValue) \(JSONWriter.compactString(right))" }
    }

    @Test(arguments: [
        Case(.equal, .int(0), .number("0.0"), true),
        Case(.equal, "on", "on", true),
        Case(.equal, ["a": [1, 2]], ["a": [1, .number("2.0")]], true),
        Case(.equal, 0, false, false),
        Case(.notEqual, "on", "off", true),
        Case(.greaterThan, 3, .number("2.5"), true),
        Case(.greaterThanOrEqual, 2, 2, true),
        Case(.lessThan, -1, 0, true),
        Case(.lessThanOrEqual, 3, 2, false),
        Case(.and, true, "x", true),
        Case(.and, true, false, false),
        Case(.and, 1, .null, false),
        Case(.or, false, 0, true),
        Case(.or, false, .null, false),
        Case(.exclusiveOr, true, false, true),
        Case(.exclusiveOr, true, 1, false),
        Case(.exclusiveOr, false, .null, false),
    ])
    func operators(_ example: Case) {
        #expect(example.op.evaluate(example.left, example.right) == .success(example.holds))
    }

    @Test func orderingNeedsNumbersAndEqualityNeedsValues() {
        #expect(ComparisonOperator.greaterThan.evaluate("10", 2)
                == .failure(.init(description: "greater_than needs two numbers, got \"10\" and 2")))
        #expect(ComparisonOperator.lessThan.evaluate(nil, 2) == .failure(.init(description: "less_than needs two numbers, got no value and 2")))
        #expect(ComparisonOperator.equal.evaluate(nil, 0) == .failure(.init(description: "no value to compare")))
        #expect(ComparisonOperator.and.evaluate(nil, true) == .success(false))
    }

    @Test func statusReferencesDigIntoObjects() {
        let reference = StatusReference(name: "Sensor", index: 1, status: "zones", keys: ["north", "people"])
        #expect(reference.dig(["north": ["people": 3]]) == 3)
        #expect(reference.dig(["north": 3]) == nil)
        #expect(reference.dig(["south": ["people": 3]]) == nil)
        #expect(reference.dig(.null) == nil)
        #expect(reference.description == "Sensor_1.zones.north.people")
    }

    // MARK: edges

    @Test func firesOnTheFalseToTrueEdgeOnly() {
        let evaluator = Subject(comparisons: 2, timeConditions: [], webhook: false, debounce: 0)
        #expect(!evaluator.setComparison(0, yes, at: at(0)))
        #expect(evaluator.setComparison(1, yes, at: at(1)))
        #expect(!evaluator.setComparison(1, yes, at: at(2)))          // still true: no edge
        #expect(!evaluator.setComparison(0, no, at: at(3)))
        #expect(!evaluator.triggered)
        #expect(evaluator.setComparison(0, yes, at: at(4)))
        #expect(evaluator.counters.triggerCount == 2)
        #expect(evaluator.counters.lastFired == at(4))
        #expect(evaluator.conditions(at: at(4)) == ["comparison_0": true, "comparison_1": true])
    }

    @Test func nothingHappensUntilEveryComparisonHasAResult() {
        let evaluator = Subject(comparisons: 2, timeConditions: [], webhook: false, debounce: 0)
        evaluator.restore(counters: .init(triggerCount: 7), triggered: true, heldSince: nil)
        #expect(!evaluator.setComparison(0, yes, at: at(0)))
        #expect(evaluator.triggered)                                   // not yet reset by a half-known picture
        #expect(!evaluator.setComparison(1, yes, at: at(1)))          // triggered before the restart: no second firing
        #expect(evaluator.counters.triggerCount == 7)
    }

    @Test func aComparisonErrorCountsAndIsFalse() {
        let evaluator = Subject(comparisons: 1, timeConditions: [], webhook: false, debounce: 0)
        #expect(evaluator.setComparison(0, yes, at: at(0)))
        #expect(!evaluator.setComparison(0, .failure(.init(description: "x")), at: at(1)))
        #expect(!evaluator.triggered)
        #expect(evaluator.counters.comparisonErrors == 1)
        #expect(evaluator.setComparison(0, yes, at: at(2)))
    }

    // MARK: debounce

    @Test func anEdgeWithinTheDebouncePeriodFiresWhenItEndsIfTheConditionsStillHold() {
        let evaluator = Subject(comparisons: 1, timeConditions: [], webhook: false, debounce: 10)
        #expect(evaluator.setComparison(0, yes, at: at(0)))
        #expect(!evaluator.setComparison(0, no, at: at(1)))
        #expect(!evaluator.setComparison(0, yes, at: at(2)))          // held off
        #expect(evaluator.triggered && evaluator.counters.triggerCount == 1)
        #expect(evaluator.nextDeadline == at(10))
        #expect(!evaluator.tick(at: at(9)))
        #expect(evaluator.tick(at: at(10)))
        #expect(evaluator.counters.triggerCount == 2)
        #expect(!evaluator.tick(at: at(11)))
    }

    @Test func aHeldOffEdgeThatEndsBeforeThePeriodIsDropped() {
        let evaluator = Subject(comparisons: 1, timeConditions: [], webhook: false, debounce: 10)
        #expect(evaluator.setComparison(0, yes, at: at(0)))
        _ = evaluator.setComparison(0, no, at: at(1))
        _ = evaluator.setComparison(0, yes, at: at(2))
        _ = evaluator.setComparison(0, no, at: at(3))
        #expect(evaluator.nextDeadline == nil)
        #expect(!evaluator.tick(at: at(10)))
        #expect(evaluator.counters.triggerCount == 1)
        #expect(evaluator.setComparison(0, yes, at: at(12)))          // after the period: at once
    }

    // MARK: for

    @Test func forHoldsOnceTheComparisonsHaveHeldThatLongWithoutABreak() {
        let evaluator = Subject(comparisons: 1, timeConditions: [.held(seconds: 600)], webhook: false, debounce: 1)
        #expect(!evaluator.setComparison(0, yes, at: at(0)))
        #expect(evaluator.nextDeadline == at(600))
        #expect(!evaluator.setComparison(0, no, at: at(300)))         // a break starts the wait again
        #expect(evaluator.nextDeadline == nil)
        #expect(!evaluator.setComparison(0, yes, at: at(400)))
        #expect(!evaluator.setComparison(0, yes, at: at(900)))        // the same value again does not restart the wait
        #expect(!evaluator.tick(at: at(999)))
        #expect(evaluator.conditions(at: at(999)) == ["comparison_0": true, "time_0": false])
        #expect(evaluator.tick(at: at(1000)))
        #expect(evaluator.conditions(at: at(1000)) == ["comparison_0": true, "time_0": true])
        #expect(!evaluator.tick(at: at(2000)))
        #expect(evaluator.counters.triggerCount == 1)
    }

    @Test func aRestoredHoldGoesOnAfterARestart() {
        let evaluator = Subject(comparisons: 1, timeConditions: [.held(seconds: 600)], webhook: false, debounce: 0)
        evaluator.restore(counters: .init(), triggered: false, heldSince: at(-500))
        #expect(!evaluator.setComparison(0, yes, at: at(0)))
        #expect(evaluator.nextDeadline == at(100))
        #expect(evaluator.tick(at: at(100)))
    }

    // MARK: pulses

    @Test func aPulseFiresWhenTheComparisonsHoldThenAndLastsTheDebouncePeriod() {
        let evaluator = Subject(comparisons: 1, timeConditions: [.at(at(50))], webhook: true, debounce: 5)
        _ = evaluator.setComparison(0, yes, at: at(0))
        #expect(!evaluator.pulse(.time(0), at: at(50)))               // the webhook has not come
        #expect(evaluator.pulse(.webhook, at: at(52)))
        #expect(evaluator.conditions(at: at(52)) == ["comparison_0": true, "time_0": true, "webhook": true])
        #expect(evaluator.nextDeadline == at(55))
        #expect(!evaluator.tick(at: at(55)))
        #expect(!evaluator.triggered)
        #expect(evaluator.conditions(at: at(56)) == ["comparison_0": true, "time_0": false, "webhook": true])
        #expect(evaluator.nextDeadline == at(57))
        #expect(!evaluator.tick(at: at(57)))
        #expect(evaluator.conditions(at: at(57)) == ["comparison_0": true, "time_0": false, "webhook": false])
    }

    @Test func withoutDebounceAPulseIsAnInstant() {
        let evaluator = Subject(comparisons: 0, timeConditions: [], webhook: true, debounce: 0)
        #expect(evaluator.pulse(.webhook, at: at(0)))
        #expect(!evaluator.triggered)
        #expect(evaluator.pulse(.webhook, at: at(0.5)))
        #expect(evaluator.counters.triggerCount == 2)
    }

    // MARK: time conditions in time zones

    @Test func cronUsesTheTriggersOrTheSystemsTimeZoneAcrossDaylightSaving() throws {
        let document = ConfigDocument(ref: ObjectRef(.trigger, "trigger-morning"), members: [
            "name": "Morning", "conditions": ["time_dependents": [
                ["type": "cron", "cron": "30 7 * * *"],
                ["type": "cron", "cron": "30 7 * * *", "timezone": "America/New_York"],
                ["type": "cron", "cron": "30 2 * * *", "timezone": "Europe/Berlin"],
            ]],
        ])
        let definition = TriggerDefinition(document, timeZone: TimeZone(identifier: "Australia/Sydney")!)
        #expect(definition.problems.isEmpty)
        let iso = ISO8601DateFormatter()
        // Sydney leaves daylight saving on 6 April 2025 (03:00 AEDT → 02:00 AEST).
        #expect(definition.timeConditions[0].nextPulse(after: iso.date(from: "2025-04-05T21:00:00Z")!) == iso.date(from: "2025-04-06T07:30:00+10:00"))
        #expect(definition.timeConditions[0].nextPulse(after: iso.date(from: "2025-04-04T19:00:00Z")!) == iso.date(from: "2025-04-05T07:30:00+11:00"))
        // New York enters daylight saving on 9 March 2025.
        #expect(definition.timeConditions[1].nextPulse(after: iso.date(from: "2025-03-08T13:00:00Z")!) == iso.date(from: "2025-03-09T07:30:00-04:00"))
        // Berlin skips 02:00-03:00 on 30 March 2025: the skipped 02:30 pulses right after the jump.
        #expect(definition.timeConditions[2].nextPulse(after: iso.date(from: "2025-03-29T12:00:00Z")!) == iso.date(from: "2025-03-30T03:00:00+02:00"))
        let past = TimeCondition.at(Date(timeIntervalSince1970: 1000))
        #expect(past.nextPulse(after: Date(timeIntervalSince1970: 2000)) == nil)
    }

    @Test func whatCannotBeReadIsAProblemNotACrash() {
        let document = ConfigDocument(ref: ObjectRef(.trigger, "trigger-bad"), members: [
            "name": "Bad", "conditions": [
                "comparisons": [["left": ["mod": "Nope 1", "status": "x"], "operator": "equal", "right": 1]],
                "time_dependents": [["type": "cron", "cron": "61 * * * *"], ["type": "cron", "cron": "* * * * *", "timezone": "Mars/Base"]],
            ],
        ])
        let definition = TriggerDefinition(document, timeZone: TimeZone(identifier: "UTC")!)
        #expect(definition.comparisons.isEmpty && definition.timeConditions.isEmpty)
        #expect(definition.problems == [
            "conditions.comparisons[0] cannot be read; it is left out",
            "conditions.time_dependents[0].cron: minute: 61 is outside 0-59; the condition is left out",
            "conditions.time_dependents[1].timezone: unknown time zone \"Mars/Base\"; the condition is left out",
        ])
    }
}

/// A TriggerEvaluator behind a reference, so `#expect` can call its mutating inputs.
final class Subject {
    var evaluator: TriggerEvaluator
    init(comparisons: Int, timeConditions: [TimeCondition], webhook: Bool, debounce: Double) {
        evaluator = TriggerEvaluator(comparisons: comparisons, timeConditions: timeConditions, webhook: webhook, debounce: debounce)
    }
    func restore(counters: TriggerEvaluator.Counters, triggered: Bool, heldSince: Date?) {
        evaluator.restore(counters: counters, triggered: triggered, heldSince: heldSince)
    }
    func setComparison(_ index: Int, _ result: Result<Bool, ComparisonOperator.Failure>, at now: Date) -> Bool {
        evaluator.setComparison(index, result, at: now)
    }
    func pulse(_ pulse: TriggerEvaluator.Pulse, at now: Date) -> Bool { evaluator.pulse(pulse, at: now) }
    func tick(at now: Date) -> Bool { evaluator.tick(at: now) }
    var triggered: Bool { evaluator.triggered }
    var counters: TriggerEvaluator.Counters { evaluator.counters }
    var nextDeadline: Date? { evaluator.nextDeadline }
    func conditions(at now: Date) -> [String: Bool] { evaluator.conditions(at: now) }
}
