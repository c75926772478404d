/// Writes metric families in the Prometheus text exposition format, version 0.0.4: a `# HELP`
/// and a `# TYPE` line per family, then one line per sample, `name{label="value",…} number`.
struct PrometheusTextWriter {
    private(set) var text = ""

    mutating func write(_ registration: MetricsRegistry.Registration) {
        let name = registration.name
        text += "# HELP \(name) \(Self.escapeHelp(registration.help))\n"
        text += "# TYPE \(name) \(registration.type.rawValue)\n"
        let labelNames = registration.family.labelNames
        switch registration.family {
        case .counter(let family):
            for (values, counter) in family.family.all() { sample(name, labelNames, values, counter.value) }
        case .gauge(let family):
            for (values, gauge) in family.family.all() { sample(name, labelNames, values, gauge.value) }
        case .histogram(let family):
            for (values, histogram) in family.family.all() {
                let cumulative = histogram.cumulativeCounts
                for (bound, count) in zip(family.bounds, cumulative) {
                    sample(name + "_bucket", labelNames + ["le"], values + [Self.format(bound)], Double(count))
                }
                sample(name + "_bucket", labelNames + ["le"], values + ["+Inf"], Double(cumulative.last ?? 0))
                sample(name + "_sum", labelNames, values, histogram.sum)
                sample(name + "_count", labelNames, values, Double(cumulative.last ?? 0))
            }
        case .collected(_, let read):
            let samples = read().sorted { $0.labelValues.lexicographicallyPrecedes($1.labelValues) }
            for sample in samples where sample.labelValues.count == labelNames.count {
                self.sample(name, labelNames, sample.labelValues, sample.value)
            }
        }
    }

    private mutating func sample(_ name: String, _ labelNames: [String], _ values: [String], _ value: Double) {
        text += name
        if !labelNames.isEmpty {
            text += "{"
            for (index, (label, labelValue)) in zip(labelNames, values).enumerated() {
                if index > 0 { text += "," }
                text += "\(label)=\"\(Self.escapeLabelValue(labelValue))\""
            }
            text += "}"
        }
        text += " \(Self.format(value))\n"
    }

    /// A sample value: whole numbers without a fraction (`12`), others in Swift's shortest
    /// round-tripping form (`0.25`, `1e-07`), and `+Inf`, `-Inf`, `NaN`.
    static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    /// Label values escape backslash, double quote and line feed.
    static func escapeLabelValue(_ text: String) -> String { escape(text, quotes: true) }

    /// Help text escapes backslash and line feed.
    static func escapeHelp(_ text: String) -> String { escape(text, quotes: false) }

    /// Works on Unicode scalars: as Characters, "\r\n" is one grapheme and would hide its "\n".
    private static func escape(_ text: String, quotes: Bool) -> String {
        guard text.unicodeScalars.contains(where: { $0 == "\\" || $0 == "\n" || (quotes && $0 == "\"") }) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out.append(contentsOf: "\\\\".unicodeScalars)
            case "\n": out.append(contentsOf: "\\n".unicodeScalars)
            case "\"" where quotes: out.append(contentsOf: "\\\"".unicodeScalars)
            default: out.append(scalar)
            }
        }
        return String(out)
    }
}
