import Synchronization

/// Observations counted into buckets by upper bound (latencies, sizes), with their sum and count.
/// Buckets are exposed cumulatively, ending with `+Inf`, as Prometheus expects.
public final class Histogram: Sendable {
    /// The upper bounds, ascending, without `+Inf`.
    public let bounds: [Double]
    /// Per bucket, the observations that fell in it alone (not cumulative); the last is `+Inf`.
    private let counts: [BucketCount]
    private let total = AtomicDouble()

    init(bounds: [Double]) {
        self.bounds = bounds
        counts = (0...bounds.count).map { _ in BucketCount() }
    }

    public func observe(_ value: Double) {
        var index = bounds.count
        // Buckets are few (a dozen); a linear scan beats a binary search at that size.
        for (position, bound) in bounds.enumerated() where value <= bound {
            index = position
            break
        }
        counts[index].value.add(1, ordering: .relaxed)
        total.add(value)
    }

    /// Seconds since `start` (from `ContinuousClock.now`).
    public func observe(since start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        observe(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    /// Cumulative counts per bound, then the `+Inf` count (= the total count).
    public var cumulativeCounts: [UInt64] {
        var running: UInt64 = 0
        return counts.map { count in
            running += count.value.load(ordering: .relaxed)
            return running
        }
    }

    public var count: UInt64 { cumulativeCounts.last ?? 0 }
    public var sum: Double { total.value }
}

/// One bucket's count (atomics cannot be array elements: they are not copyable).
private final class BucketCount: Sendable {
    let value = Atomic<UInt64>(0)
}

/// A histogram family with shared bucket bounds.
public final class HistogramFamily: Sendable {
    /// Prometheus's default buckets, in seconds: 5 ms to 10 s.
    public static let defaultBounds: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    let family: LabelledFamily<Histogram>
    public let bounds: [Double]

    init(labelNames: [String], bounds: [Double]) {
        precondition(!bounds.isEmpty && zip(bounds, bounds.dropFirst()).allSatisfy { $0 < $1 } && bounds.allSatisfy(\.isFinite),
                     "metrics: histogram bounds must be finite and strictly ascending, got \(bounds)")
        self.bounds = bounds
        family = LabelledFamily(labelNames: labelNames) { Histogram(bounds: bounds) }
    }

    public func labels(_ values: String...) -> Histogram { family.child(values) }
    public func labels(_ values: [String]) -> Histogram { family.child(values) }
    public func remove(labels values: String...) { family.remove(values) }

    public func observe(_ value: Double) { family.child([]).observe(value) }
}
