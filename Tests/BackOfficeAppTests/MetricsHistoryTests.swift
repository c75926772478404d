import Foundation
import TestSupport
import Testing
@testable import BackOfficeApp

/// The Metrics page's history: samples as rates, trimmed to six hours, kept across restarts.
@Suite struct MetricsHistoryTests {
    @Test func execCountsBecomeRatesPerMinuteFromTheProcessStart() {
        let history = MetricsHistory(stateDirectory: nil)
        history.record(online: 10, offline: 2, execs: 30, now: 1_000)   // first sample: 30 execs over the minute before
        history.record(online: 11, offline: 1, execs: 90, now: 1_120)   // 60 more in two minutes
        #expect(history.samples == [.init(time: 1_000, online: 10, offline: 2, execsPerMinute: 30),
                                    .init(time: 1_120, online: 11, offline: 1, execsPerMinute: 30)])
    }

    @Test func samplesAreKeptInTheStateDirectoryAndTrimmedToSixHours() throws {
        let directory = try TemporaryDirectory()
        let first = MetricsHistory(stateDirectory: directory.path)
        for minute in 0..<(MetricsHistory.capacity + 5) {
            first.record(online: minute, offline: 0, execs: 0, now: Double(minute * 60))
        }
        #expect(first.samples.count == MetricsHistory.capacity)
        #expect(first.samples.first?.online == 5)
        let restarted = MetricsHistory(stateDirectory: directory.path)
        #expect(restarted.samples == first.samples)
    }

    @Test func aDamagedFileLosesOnlyTheEntriesThatDoNotRead() throws {
        let samples = MetricsHistory.decode(Array(#"[{"time": 60, "online": 3}, {"time": "x"}, 7, {"time": 120, "online": 4, "execs_per_minute": 1.5}]"#.utf8))
        #expect(samples == [.init(time: 60, online: 3, offline: 0, execsPerMinute: 0), .init(time: 120, online: 4, offline: 0, execsPerMinute: 1.5)])
        #expect(MetricsHistory.decode(Array("not json".utf8)).isEmpty)
    }
}

/// Touch panels: sockets opened with `fixed_device=true`, counted per system they bind.
@Suite struct TouchPanelsTests {
    @Test func panelsCountForEverySystemTheyBoundUntilTheyClose() {
        let panels = TouchPanels()
        let a = panels.opened(), b = panels.opened(), idle = panels.opened()
        panels.bound(a, system: "sys-1")
        panels.bound(a, system: "sys-1")
        panels.bound(b, system: "sys-1")
        panels.bound(b, system: "sys-2")
        #expect(panels.connected() == ["sys-1": 2, "sys-2": 1])
        panels.closed(b)
        panels.closed(idle)
        panels.bound(b, system: "sys-3")   // late news of a closed panel changes nothing
        #expect(panels.connected() == ["sys-1": 1])
    }
}
