/// A value that goes up and down (sessions open, queue depth, connected 0/1).
public final class Gauge: Sendable {
    private let storage = AtomicDouble()

    init() {}

    public var value: Double { storage.value }
    public func set(_ value: Double) { storage.store(value) }
    public func set(_ value: Int) { storage.store(Double(value)) }
    public func increment(by amount: Double = 1) { storage.add(amount) }
    public func decrement(by amount: Double = 1) { storage.add(-amount) }
}

/// A gauge family: `family.labels("driver-x").set(3)`; without label names the family is itself
/// usable as its one gauge.
public final class GaugeFamily: Sendable {
    let family: LabelledFamily<Gauge>

    init(labelNames: [String]) { family = LabelledFamily(labelNames: labelNames) { Gauge() } }

    public func labels(_ values: String...) -> Gauge { family.child(values) }
    public func labels(_ values: [String]) -> Gauge { family.child(values) }
    public func remove(labels values: String...) { family.remove(values) }

    public func set(_ value: Double) { family.child([]).set(value) }
    public var value: Double { family.child([]).value }
}
