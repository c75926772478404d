import ConfigRepo
import Foundation

/// Timing and the printed table the benchmarks share.
public enum BenchClock {
    /// Monotonic seconds.
    public static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    /// The `p` quantile (0…1) of `values`, nearest rank.
    public static func percentile(_ values: [Double], _ p: Double) -> Double {
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * p + 0.5))]
    }
}

/// A benchmark's figures: printed as a table and written to `bench/results/<name>.json`, where
/// `bench-summary` reads every benchmark's rows into one table.
///
/// A row measured beside a peer (nginx, mosquitto) names it and carries ours ÷ the peer's figure
/// from the same run, oriented so that above 1 is better for us. The file also records the
/// machine's state while the benchmark ran (cores, load averages before and after).
public struct BenchReport {
    public struct Row: Sendable {
        public var measure: String
        public var value: String
        public var target: String
        public var peer: String?
        public var ratio: Double?
    }

    public let name: String
    public private(set) var rows: [Row] = []
    /// Anything else worth keeping (every round, per-driver figures), written under `details`.
    public var details: [String: JSONValue] = [:]
    private let startLoad = MachineState.loadAverage()
    private let started = Date()

    public init(name: String) { self.name = name }

    public mutating func add(_ measure: String, _ value: String, _ target: String = "", peer: String? = nil, ratio: Double? = nil) {
        rows.append(Row(measure: measure, value: value, target: target, peer: peer, ratio: ratio))
    }

    public func finish(valueWidth: Int = 44) throws {
        let width = rows.map(\.measure.count).max().map { $0 + 2 } ?? 10
        func pad(_ text: String, _ length: Int) -> String { text.padding(toLength: max(length, text.count + 1), withPad: " ", startingAt: 0) }
        print("")
        print(pad("measure", width) + pad("value", valueWidth) + "target")
        for row in rows {
            let ratio = row.ratio.map { String(format: " (%.2f× %@)", $0, row.peer ?? "the peer") } ?? ""
            print(pad(row.measure, width) + pad(row.value + ratio, valueWidth) + row.target)
        }
        let json: JSONValue = .object([
            "bench": .string(name),
            "rows": .array(rows.map { row in
                var members: [String: JSONValue] = ["measure": .string(row.measure), "value": .string(row.value), "target": .string(row.target)]
                if let peer = row.peer { members["peer"] = .string(peer) }
                if let ratio = row.ratio { members["ratio"] = .double((ratio * 1000).rounded() / 1000) }
                return .object(members)
            }),
            "machine": .object([
                "cores": .int(ProcessInfo.processInfo.activeProcessorCount),
                "load_before": .string(startLoad),
                "load_after": .string(MachineState.loadAverage()),
                "started": .string(ISO8601DateFormatter().string(from: started)),
                "seconds": .double((Date().timeIntervalSince(started) * 10).rounded() / 10),
            ]),
            "details": .object(details),
        ])
        try FileManager.default.createDirectory(atPath: "bench/results", withIntermediateDirectories: true)
        try JSONWriter.canonicalString(json).write(toFile: "bench/results/\(name).json", atomically: true, encoding: .utf8)
    }
}

/// What else ran on the machine: the figures here are only comparable within one run.
public enum MachineState {
    /// The 1, 5 and 15 minute load averages (`/proc/loadavg`), e.g. "3.10 2.85 2.40".
    public static func loadAverage() -> String {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return "unknown" }
        return text.split(separator: " ").prefix(3).joined(separator: " ")
    }
}

extension BenchReport {
    /// Keeps a benchmark's own JSON text (every round, raw figures) as the report's `details`.
    public mutating func keepDetails(json text: String) {
        if case .object(let members)? = try? JSONParser.parse(text) { details = members }
    }
}
