/// A value that only goes up (requests served, messages published). Reset only by a restart.
public final class Counter: Sendable {
    private let storage = AtomicDouble()

    init() {}

    public var value: Double { storage.value }

    /// Adds `amount`, which must not be negative.
    public func increment(by amount: Double = 1) {
        precondition(amount >= 0, "metrics: a counter cannot go down (increment by \(amount))")
        storage.add(amount)
    }

    public func increment(by amount: Int) { increment(by: Double(amount)) }
}

/// A counter family: `family.labels("broker-1").increment()`; without label names the family is
/// itself usable as its one counter.
public final class CounterFamily: Sendable {
    let family: LabelledFamily<Counter>

    init(labelNames: [String]) { family = LabelledFamily(labelNames: labelNames) { Counter() } }

    public func labels(_ values: String...) -> Counter { family.child(values) }
    public func labels(_ values: [String]) -> Counter { family.child(values) }
    public func remove(labels values: String...) { family.remove(values) }

    public func increment(by amount: Double = 1) { family.child([]).increment(by: amount) }
    public var value: Double { family.child([]).value }
}
