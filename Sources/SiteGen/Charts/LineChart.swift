import Foundation

/// A small line chart drawn on the server as inline SVG (no script): a filled line over time, the
/// highest value and the time span written on it, a title for screen readers. For the Metrics
/// page's history of online modules and exec rate.
public struct LineChart: Sendable {
    public struct Point: Sendable, Equatable {
        /// Unix seconds.
        public var time: Int
        public var value: Double
        public init(time: Int, value: Double) {
            self.time = time
            self.value = value
        }
    }

    public var title: String
    /// A unit for the labels ("modules", "per minute").
    public var unit: String
    public var points: [Point]
    public var width = 560
    public var height = 140

    public init(title: String, unit: String, points: [Point]) {
        self.title = title
        self.unit = unit
        self.points = points
    }

    /// The chart; a short note in place of a line until there are two points.
    public func svg() -> TrustedHTML {
        let left = 44.0, right = 8.0, top = 10.0, bottom = 22.0
        let plotWidth = Double(width) - left - right, plotHeight = Double(height) - top - bottom
        var parts = ["<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-label=\"\(Escaping.escape(title, context: .attribute))\">",
                     "<title>\(Escaping.escape(title))</title>",
                     "<rect class=\"chart-frame\" x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(plotWidth))\" height=\"\(f(plotHeight))\"/>"]
        guard points.count >= 2, let first = points.first, let last = points.last, last.time > first.time else {
            parts.append("<text class=\"chart-note\" x=\"\(f(left + 10))\" y=\"\(f(top + plotHeight / 2))\">Collecting: a point a minute, charts from the second.</text>")
            return TrustedHTML(trusted: (parts + ["</svg>"]).joined())
        }
        let highest = max(points.map(\.value).max() ?? 0, 1)
        let ceiling = Self.roundUp(highest)
        let span = Double(last.time - first.time)
        func x(_ point: Point) -> Double { left + Double(point.time - first.time) / span * plotWidth }
        func y(_ value: Double) -> Double { top + plotHeight - value / ceiling * plotHeight }
        let line = points.map { "\(f(x($0))),\(f(y($0.value)))" }.joined(separator: " ")
        let baseline = f(top + plotHeight)
        parts.append("<line class=\"chart-grid\" x1=\"\(f(left))\" x2=\"\(f(left + plotWidth))\" y1=\"\(f(y(ceiling / 2)))\" y2=\"\(f(y(ceiling / 2)))\"/>")
        parts.append("<polygon class=\"chart-area\" points=\"\(f(x(first))),\(baseline) \(line) \(f(x(last))),\(baseline)\"/>")
        parts.append("<polyline class=\"chart-line\" points=\"\(line)\"/>")
        parts.append("<text class=\"chart-label\" x=\"\(f(left - 4))\" y=\"\(f(top + 9))\" text-anchor=\"end\">\(Self.number(ceiling))</text>")
        parts.append("<text class=\"chart-label\" x=\"\(f(left - 4))\" y=\"\(baseline)\" text-anchor=\"end\">0</text>")
        parts.append("<text class=\"chart-label\" x=\"\(f(left))\" y=\"\(height - 6)\">\(Self.clock(first.time))</text>")
        parts.append("<text class=\"chart-label\" x=\"\(f(left + plotWidth))\" y=\"\(height - 6)\" text-anchor=\"end\">\(Self.clock(last.time)) UTC</text>")
        parts.append("<text class=\"chart-label\" x=\"\(f(left + plotWidth / 2))\" y=\"\(height - 6)\" text-anchor=\"middle\">now \(Self.number(last.value)) \(Escaping.escape(unit))</text>")
        parts.append("</svg>")
        return TrustedHTML(trusted: parts.joined())
    }

    private func f(_ value: Double) -> String { String(format: "%.1f", value) }

    /// 1, 2 or 5 times a power of ten, at least `value`: a readable top of the scale.
    static func roundUp(_ value: Double) -> Double {
        let magnitude = pow(10, floor(log10(value)))
        for step in [1.0, 2, 5, 10] where step * magnitude >= value { return step * magnitude }
        return 10 * magnitude
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)
    }

    /// `14:05` in UTC.
    static func clock(_ time: Int) -> String {
        let seconds = ((time % 86_400) + 86_400) % 86_400
        return String(format: "%02d:%02d", seconds / 3600, seconds % 3600 / 60)
    }
}
