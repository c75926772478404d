import Metrics
import Synchronization

/// What the runtime records in the process's registry (docs/metrics.md): exec counts and latency
/// per driver and commits applied and refused as they happen; modules by health and driver
/// processes read from the engine at each scrape.
final class RuntimeMetrics: Sendable {
    let execSeconds: HistogramFamily
    let execFailures: CounterFamily
    let commitsApplied: CounterFamily
    let commitsRefused: CounterFamily
    /// Execs answered by driver processes since start, all drivers (the Metrics page's exec rate).
    let execs = Atomic<Int>(0)

    init(_ registry: MetricsRegistry) {
        execSeconds = registry.histogram("backoffice_exec_seconds", help: "Execs answered by a driver process, by driver: latency.",
                                         labels: ["driver"])
        execFailures = registry.counter("backoffice_exec_failures_total",
                                        help: "Execs a driver process answered with an error or did not answer in time, by driver.",
                                        labels: ["driver"])
        commitsApplied = registry.counter("backoffice_commits_applied_total", help: "Configuration commits the runtime applied.")
        commitsRefused = registry.counter("backoffice_commits_refused_total",
                                          help: "Configuration commits the runtime refused as invalid (it kept the last good one).")
    }

    /// Registers the families read from `engine` at each scrape.
    static func collect(from engine: RuntimeEngine, into registry: MetricsRegistry) {
        registry.collect("backoffice_modules", type: .gauge, help: "Modules by driver and health (online, offline, stopped).",
                         labels: ["driver", "state"]) { [weak engine] in
            guard let engine else { return [] }
            var counts: [[String]: Int] = [:]
            for entry in engine.moduleHealth() { counts[[entry.driver, entry.health.rawValue], default: 0] += 1 }
            return counts.map { MetricsRegistry.Sample($0.key, Double($0.value)) }
        }
        registry.collect("backoffice_driver_process_restarts_total", type: .counter,
                         help: "Times each driver process was restarted after it crashed or stopped answering, by executable file name.",
                         labels: ["executable"]) { [weak engine] in
            // The file name (`driver-pjlink`), not where the binary cache keeps it; one series per name.
            var restarts: [String: Int] = [:]
            for process in engine?.processes() ?? [] {
                restarts[String(process.executable.split(separator: "/").last ?? ""), default: 0] += process.restarts
            }
            return restarts.map { MetricsRegistry.Sample([$0.key], Double($0.value)) }
        }
        registry.collect("backoffice_trigger_events_total", type: .counter,
                         help: "Trigger firings and errors, summed over every instance (fires, action_errors, comparison_errors).",
                         labels: ["event"]) { [weak engine] in
            // Totals only: trigger and system ids stay out of labels, like module ids.
            let states = engine?.triggers.allInstances() ?? []
            return [("fires", states.reduce(0) { $0 + $1.triggerCount }),
                    ("action_errors", states.reduce(0) { $0 + $1.actionErrors }),
                    ("comparison_errors", states.reduce(0) { $0 + $1.comparisonErrors })]
                .map { MetricsRegistry.Sample([$0.0], Double($0.1)) }
        }
        registry.collect("backoffice_driver_processes", type: .gauge, help: "Driver processes (one per driver binary).") { [weak engine] in
            [MetricsRegistry.Sample([], Double(engine?.processes().count ?? 0))]
        }
    }
}
