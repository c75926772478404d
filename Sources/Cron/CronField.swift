/// One field of a cron expression: the set of values it allows.
struct CronField: Sendable, Equatable {
    let values: Set<Int>
    /// True when written as `*` (or `?`): matters for day-of-month/day-of-week and DST rules.
    let isWildcard: Bool

    func contains(_ value: Int) -> Bool { values.contains(value) }

    /// Parses `*`, `*/n`, `a`, `a-b`, `a-b/n`, `a/n` and comma lists of those; `names` maps
    /// lowercase names (`jan`, `mon`) to numbers.
    static func parse(_ text: String, field: String, range: ClosedRange<Int>, names: [String: Int] = [:]) throws(CronError) -> CronField {
        if text == "*" || text == "?" { return CronField(values: Set(range), isWildcard: true) }
        var values = Set<Int>()
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard !part.isEmpty else { throw CronError("\(field): empty list item in \"\(text)\"") }
            let pieces = part.split(separator: "/", omittingEmptySubsequences: false)
            guard pieces.count <= 2 else { throw CronError("\(field): more than one '/' in \"\(part)\"") }
            var step = 1
            if pieces.count == 2 {
                guard let n = Int(pieces[1]), n > 0 else { throw CronError("\(field): step \"\(pieces[1])\" must be a positive number") }
                step = n
            }
            let base = pieces[0]
            var low: Int, high: Int
            if base == "*" {
                low = range.lowerBound; high = range.upperBound
            } else if let dash = base.firstIndex(of: "-") {
                low = try value(base[..<dash], field: field, range: range, names: names)
                high = try value(base[base.index(after: dash)...], field: field, range: range, names: names)
                guard low <= high else { throw CronError("\(field): range \"\(base)\" runs backwards") }
            } else {
                low = try value(base, field: field, range: range, names: names)
                high = pieces.count == 2 ? range.upperBound : low
            }
            values.formUnion(stride(from: low, through: high, by: step))
        }
        return CronField(values: values, isWildcard: false)
    }

    private static func value(_ text: Substring, field: String, range: ClosedRange<Int>, names: [String: Int]) throws(CronError) -> Int {
        if let named = names[text.lowercased()] { return named }
        guard let number = Int(text) else { throw CronError("\(field): \"\(text)\" is not a number or name") }
        guard range.contains(number) else {
            throw CronError("\(field): \(number) is outside \(range.lowerBound)-\(range.upperBound)")
        }
        return number
    }
}

/// A cron expression that does not parse, saying which field and why.
public struct CronError: Error, Sendable, CustomStringConvertible, Equatable {
    public let description: String
    init(_ description: String) { self.description = description }
}
