import Testing
@testable import SiteGen

/// The Metrics page's server-drawn charts.
@Suite struct LineChartTests {
    @Test func aLineHasAPointPerSampleAndAReadableScale() {
        let points = (0..<5).map { LineChart.Point(time: 3_600 * 14 + $0 * 60, value: Double($0 * 9)) }
        let svg = LineChart(title: "Modules online", unit: "modules", points: points).svg().text
        let line = svg.split(separator: "<polyline class=\"chart-line\" points=\"")[1].split(separator: "\"")[0]
        #expect(line.split(separator: " ").count == 5)
        #expect(svg.contains(">50</text>"), "36 at most: the scale tops at 50")
        #expect(svg.contains(">14:00</text>") && svg.contains(">14:04 UTC</text>") && svg.contains("now 36 modules"))
        #expect(!svg.contains("<script"))
    }

    @Test func titlesAreEscapedAndOnePointIsANoteNotALine() {
        let svg = LineChart(title: "<b>\"x\"</b>", unit: "u", points: [.init(time: 0, value: 1)]).svg().text
        #expect(svg.contains("&lt;b&gt;") && !svg.contains("<b>"))
        #expect(!svg.contains("polyline") && svg.contains("Collecting"))
    }

    @Test func scalesRoundUpToOneTwoOrFive() {
        #expect(LineChart.roundUp(0.7) == 1)
        #expect(LineChart.roundUp(1) == 1)
        #expect(LineChart.roundUp(13) == 20)
        #expect(LineChart.roundUp(36) == 50)
        #expect(LineChart.roundUp(74) == 100)
        #expect(LineChart.roundUp(5_001) == 10_000)
    }
}
