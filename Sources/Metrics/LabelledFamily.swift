import Synchronization

/// The children of one metric family, one per combination of label values, created on first
/// use. With no label names the family has exactly one child, the empty combination.
final class LabelledFamily<Child: Sendable>: Sendable {
    let labelNames: [String]
    private let make: @Sendable () -> Child
    private let children = Mutex<[[String]: Child]>([:])

    init(labelNames: [String], make: @escaping @Sendable () -> Child) {
        self.labelNames = labelNames
        self.make = make
    }

    /// The child for `values` (one per label name, in order).
    func child(_ values: [String]) -> Child {
        precondition(values.count == labelNames.count,
                     "metrics: \(values.count) label values given for the \(labelNames.count) labels \(labelNames)")
        return children.withLock { children in
            if let existing = children[values] { return existing }
            let child = make()
            children[values] = child
            return child
        }
    }

    /// Forgets one combination (a broker removed, a driver gone): it is no longer exposed.
    func remove(_ values: [String]) {
        _ = children.withLock { $0.removeValue(forKey: values) }
    }

    /// Every child with its label values, sorted by them so the exposition is stable.
    func all() -> [(values: [String], child: Child)] {
        children.withLock { Array($0) }.map { ($0.key, $0.value) }.sorted { $0.values.lexicographicallyPrecedes($1.values) }
    }
}
