import Synchronization

/// The metrics of one process, by name, written out in the Prometheus text format by
/// ``exposition()``.
///
/// Families are registered once (registering the same name again with the same type and labels
/// returns the existing family, so a component restarted in the same process keeps counting);
/// their children are created on first use of a label combination. Values are atomics, so
/// updating a metric never takes a lock shared with the exposition.
///
/// ```swift
/// let published = registry.counter("backoffice_mqtt_published_total", help: "Messages handed to a broker.", labels: ["broker"])
/// published.labels("broker-demo").increment()
/// ```
public final class MetricsRegistry: Sendable {
    /// One labelled value reported by a ``collect(_:type:help:labels:_:)`` family.
    public struct Sample: Sendable, Equatable {
        public var labelValues: [String]
        public var value: Double
        public init(_ labelValues: [String] = [], _ value: Double) {
            self.labelValues = labelValues
            self.value = value
        }
    }

    enum Family: Sendable {
        case counter(CounterFamily)
        case gauge(GaugeFamily)
        case histogram(HistogramFamily)
        /// Values read from their owner at exposition time.
        case collected(labelNames: [String], read: @Sendable () -> [Sample])

        var labelNames: [String] {
            switch self {
            case .counter(let family): family.family.labelNames
            case .gauge(let family): family.family.labelNames
            case .histogram(let family): family.family.labelNames
            case .collected(let names, _): names
            }
        }
    }

    struct Registration: Sendable {
        var name: String
        var help: String
        var type: MetricType
        var family: Family
    }

    private let registrations = Mutex<[Registration]>([])

    public init() {}

    public func counter(_ name: String, help: String, labels: [String] = []) -> CounterFamily {
        register(name, help: help, type: .counter, labels: labels, make: { .counter(CounterFamily(labelNames: labels)) }) {
            if case .counter(let family) = $0 { family } else { nil }
        }
    }

    public func gauge(_ name: String, help: String, labels: [String] = []) -> GaugeFamily {
        register(name, help: help, type: .gauge, labels: labels, make: { .gauge(GaugeFamily(labelNames: labels)) }) {
            if case .gauge(let family) = $0 { family } else { nil }
        }
    }

    public func histogram(_ name: String, help: String, labels: [String] = [],
                          buckets: [Double] = HistogramFamily.defaultBounds) -> HistogramFamily {
        precondition(!labels.contains("le"), "metrics: \(name): \"le\" is the bucket label of a histogram")
        return register(name, help: help, type: .histogram, labels: labels,
                        make: { .histogram(HistogramFamily(labelNames: labels, bounds: buckets)) }) {
            if case .histogram(let family) = $0 { family } else { nil }
        }
    }

    /// A family whose values its owner already keeps (a broker's counters, a queue's depth):
    /// `read` is called at each exposition and returns one sample per label combination.
    /// Registering the name again replaces `read`.
    public func collect(_ name: String, type: MetricType, help: String, labels: [String] = [],
                        _ read: @escaping @Sendable () -> [Sample]) {
        check(name, labels: labels)
        let registration = Registration(name: name, help: help, type: type, family: .collected(labelNames: labels, read: read))
        registrations.withLock { registrations in
            if let index = registrations.firstIndex(where: { $0.name == name }) {
                guard case .collected = registrations[index].family, registrations[index].type == type,
                      registrations[index].family.labelNames == labels else {
                    preconditionFailure("metrics: \(name) is already registered as another kind of metric")
                }
                registrations[index] = registration
            } else {
                registrations.append(registration)
            }
        }
    }

    /// Removes a family; it is no longer exposed.
    public func unregister(_ name: String) {
        registrations.withLock { $0.removeAll { $0.name == name } }
    }

    /// Every family in the text exposition format 0.0.4 (`Content-Type: text/plain; version=0.0.4`),
    /// in registration order.
    public func exposition() -> String {
        var writer = PrometheusTextWriter()
        for registration in registrations.withLock({ $0 }) {
            writer.write(registration)
        }
        return writer.text
    }

    /// The content type of ``exposition()``.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    private func register<F>(_ name: String, help: String, type: MetricType, labels: [String],
                             make: () -> Family, existing: (Family) -> F?) -> F {
        check(name, labels: labels)
        return registrations.withLock { registrations in
            if let found = registrations.first(where: { $0.name == name }) {
                guard found.type == type, found.family.labelNames == labels, let family = existing(found.family) else {
                    preconditionFailure("metrics: \(name) is already registered as a \(found.type.rawValue) with labels \(found.family.labelNames)")
                }
                return family
            }
            let family = make()
            registrations.append(Registration(name: name, help: help, type: type, family: family))
            return existing(family)!
        }
    }

    private func check(_ name: String, labels: [String]) {
        precondition(MetricName.isValidMetric(name), "metrics: \"\(name)\" is not a valid metric name")
        for label in labels {
            precondition(MetricName.isValidLabel(label), "metrics: \(name): \"\(label)\" is not a valid label name")
        }
        precondition(Set(labels).count == labels.count, "metrics: \(name): a label name is repeated in \(labels)")
    }
}
