import Testing
@testable import Metrics

@Suite struct ExpositionTests {
    @Test func countersAndGaugesWithAndWithoutLabels() {
        let registry = MetricsRegistry()
        let published = registry.counter("mqtt_published_total", help: "Messages handed to a broker.", labels: ["broker"])
        published.labels("broker-b").increment(by: 3)
        published.labels("broker-a").increment()
        let sessions = registry.gauge("websocket_sessions", help: "Open sessions.")
        sessions.set(2)
        #expect(registry.exposition() == """
            # HELP mqtt_published_total Messages handed to a broker.
            # TYPE mqtt_published_total counter
            mqtt_published_total{broker="broker-a"} 1
            mqtt_published_total{broker="broker-b"} 3
            # HELP websocket_sessions Open sessions.
            # TYPE websocket_sessions gauge
            websocket_sessions 2

            """)
    }

    @Test func histogramBucketsAreCumulativeAndEndWithInf() {
        let registry = MetricsRegistry()
        let latency = registry.histogram("exec_seconds", help: "Exec latency.", labels: ["driver"], buckets: [0.01, 0.1, 1])
        let pjlink = latency.labels("pjlink")
        for value in [0.005, 0.01, 0.05, 0.5, 3] { pjlink.observe(value) }
        #expect(registry.exposition() == """
            # HELP exec_seconds Exec latency.
            # TYPE exec_seconds histogram
            exec_seconds_bucket{driver="pjlink",le="0.01"} 2
            exec_seconds_bucket{driver="pjlink",le="0.1"} 3
            exec_seconds_bucket{driver="pjlink",le="1"} 4
            exec_seconds_bucket{driver="pjlink",le="+Inf"} 5
            exec_seconds_sum{driver="pjlink"} 3.565
            exec_seconds_count{driver="pjlink"} 5

            """)
    }

    @Test func labelValuesAndHelpAreEscaped() {
        let registry = MetricsRegistry()
        registry.counter("odd_total", help: "A \\ help\r\nwith lines", labels: ["path"])
            .labels("C:\\dir \"quoted\"\nnext").increment()
        let text = registry.exposition()
        #expect(text.contains(#"# HELP odd_total A \\ help"# + "\r" + #"\nwith lines"#))
        #expect(text.contains(#"odd_total{path="C:\\dir \"quoted\"\nnext"} 1"#))
    }

    @Test func specialValuesUseThePrometheusSpelling() {
        #expect(PrometheusTextWriter.format(.infinity) == "+Inf")
        #expect(PrometheusTextWriter.format(-.infinity) == "-Inf")
        #expect(PrometheusTextWriter.format(.nan) == "NaN")
        #expect(PrometheusTextWriter.format(12) == "12")
        #expect(PrometheusTextWriter.format(0.25) == "0.25")
        #expect(PrometheusTextWriter.format(1e-7) == "1e-07")
        #expect(PrometheusTextWriter.format(1e20) == "1e+20")
    }

    @Test func collectedFamiliesAreReadAtEachExposition() {
        let registry = MetricsRegistry()
        let depth = Counter()
        registry.collect("queue_depth", type: .gauge, help: "Messages waiting.", labels: ["broker"]) {
            [.init(["broker-z"], depth.value), .init(["broker-a"], 7), .init(["wrong", "arity"], 1)]
        }
        depth.increment(by: 4)
        #expect(registry.exposition().hasSuffix("queue_depth{broker=\"broker-a\"} 7\nqueue_depth{broker=\"broker-z\"} 4\n"))
        registry.unregister("queue_depth")
        #expect(registry.exposition().isEmpty)
    }

    @Test func registeringAgainReturnsTheSameFamilyAndRemovedChildrenDisappear() {
        let registry = MetricsRegistry()
        registry.counter("restarts_total", help: "Restarts.", labels: ["driver"]).labels("x").increment()
        let again = registry.counter("restarts_total", help: "Restarts.", labels: ["driver"])
        #expect(again.labels("x").value == 1)
        again.remove(labels: "x")
        #expect(!registry.exposition().contains("restarts_total{"))
    }

    @Test func namesFollowThePrometheusRules() {
        #expect(MetricName.isValidMetric("backoffice_http_requests_total"))
        #expect(MetricName.isValidMetric("job:rate5m"))
        #expect(!MetricName.isValidMetric("2xx_total"))
        #expect(!MetricName.isValidMetric("with-dash"))
        #expect(!MetricName.isValidMetric(""))
        #expect(MetricName.isValidLabel("broker"))
        #expect(!MetricName.isValidLabel("__reserved"))
        #expect(!MetricName.isValidLabel("a:b"))
    }

    @Test func concurrentUpdatesAreAllCounted() async {
        let registry = MetricsRegistry()
        let counter = registry.counter("hits_total", help: "Hits.", labels: ["route"])
        let histogram = registry.histogram("size_bytes", help: "Sizes.", buckets: [10, 100])
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<8 {
                group.addTask {
                    for index in 0..<1000 {
                        counter.labels(task % 2 == 0 ? "even" : "odd").increment()
                        histogram.observe(Double(index % 200))
                    }
                }
            }
        }
        #expect(counter.labels("even").value == 4000)
        #expect(counter.labels("odd").value == 4000)
        let child = histogram.labels()
        #expect(child.count == 8000)
        let expected: [UInt64] = [440, 4040, 8000]   // 8 tasks × 5 rounds × (11 values ≤ 10, 101 ≤ 100)
        #expect(child.cumulativeCounts == expected)
    }
}
