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

/// Rows of (measure, value, target): printed as a table and written to `bench/results/<name>.json`.
public struct BenchReport {
    public let name: String
    public private(set) var rows: [(measure: String, value: String, target: String)] = []

    public init(name: String) { self.name = name }

    public mutating func add(_ measure: String, _ value: String, _ target: String = "") {
        rows.append((measure, value, target))
    }

    public func finish(valueWidth: Int = 44) throws {
        let width = rows.map(\.measure.count).max().map { $0 + 2 } ?? 10
        func pad(_ text: String, _ length: Int) -> String { text.padding(toLength: max(length, text.count + 1), withPad: " ", startingAt: 0) }
        print("")
        print(pad("measure", width) + pad("value", valueWidth) + "target")
        for row in rows { print(pad(row.measure, width) + pad(row.value, valueWidth) + row.target) }
        let json = rows.map { ["measure": $0.measure, "value": $0.value, "target": $0.target] }
        try FileManager.default.createDirectory(atPath: "bench/results", withIntermediateDirectories: true)
        try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys])
            .write(to: URL(fileURLWithPath: "bench/results/\(name).json"))
    }
}
