// mqtt-bench: MQTT both ways (issue 18), release build, against a real mosquitto on loopback.
//   1. out: status changes published to one broker and received by a subscriber, per second
//      (every change a distinct retained topic, so none is coalesced away)
//   2. out: status change → received by a subscriber, p50/p99, at a steady 2,000 changes/s
//   3. in: MQTT messages → statuses through the bundled MQTT sensor driver, per second
// BENCH_CHANGES (200,000), BENCH_MESSAGES (100,000); BENCH_DRIVER_DIR for the driver executables;
// BENCH_TRACE=1 prints published / queued / received every 0.5 s while the first measure drains.
import BenchSupport
import ConfigRepo
import Foundation
import Metrics
import MQTT
import Runtime
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

signal(SIGPIPE, SIG_IGN)
let environment = ProcessInfo.processInfo.environment
let changes = Int(environment["BENCH_CHANGES"] ?? "") ?? 200_000
let messages = Int(environment["BENCH_MESSAGES"] ?? "") ?? 100_000
let box = SecretBox(secret: try DeploymentSecret.loadOrCreate(stateDirectory: NSTemporaryDirectory() + "mqtt-bench-\(getpid())"))
var report = BenchReport(name: "mqtt-bench")

func waitUntil(_ timeout: Double, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if condition() { return true }
        usleep(2_000)
    }
    return condition()
}

/// Counts what a subscriber receives, and when each numbered value arrived.
final class Receiver: Sendable {
    final class Counts: Sendable {
        let received = Atomic<Int>(0)
        let arrivals = Mutex<[Int: Double]>([:])
    }
    let client: MQTTClient
    let counts = Counts()

    init(port: Int, filter: String, timing: Bool = false) throws {
        let counts = self.counts
        var options = MQTTClientOptions(host: "127.0.0.1", port: port)
        options.queueCapacity = 16
        client = try MQTTClient(options) { event in
            guard case .message(let message) = event, !message.payload.isEmpty else { return }
            counts.received.add(1, ordering: .relaxed)
            guard timing else { return }
            let now = BenchClock.now()
            // {"time":…,"value":N}: the value is the change's sequence number.
            if let json = try? JSONParser.parse(message.payload), let sequence = json["value"]?.intValue {
                counts.arrivals.withLock { $0[sequence] = now }
            }
        }
        try client.subscribe(filter)
        client.start()
        guard waitUntil(10, { client.statistics.connected }) else { throw MQTTError("the subscriber did not connect") }
        usleep(200_000)   // the SUBSCRIBE is acknowledged before anything is measured
    }

    var received: Int { counts.received.load(ordering: .relaxed) }
}

// MARK: - Out: the publisher

let portfolio = SyntheticPortfolio(arguments: ["--small"])   // 1,000 systems, 5,000 modules under one org
let broker = try MosquittoBroker()
var documents = portfolio.documents()
documents.append(ConfigDocument(ref: ObjectRef(.broker, "broker-bench"),
                                members: ["name": "Bench", "host": "127.0.0.1", "port": .int(broker.port)]))
let snapshot = Snapshot(commit: nil, files: documents.map { document in
    RepoFile(path: document.ref.path, blob: ObjectID(hex: String(repeating: "0", count: 40))!, bytes: document.canonicalBytes)
})
let directory = SystemDirectory(snapshot: snapshot)
var started = BenchClock.now()
let layout = MQTTTopicLayout(snapshot: snapshot, directory: directory)
report.add("topic layout of 5,000 modules, 1,000 systems, 200 zones", String(format: "%.1f ms", (BenchClock.now() - started) * 1000))

let status = StatusStore()
let metrics = MetricsRegistry()
let publisher = MQTTPublisher(status: status, box: box, metrics: metrics)
_ = status.watchAll { module, key, value in publisher.statusChanged(module: module, key: key, value: value) }
publisher.apply(snapshot, directory: directory)
guard waitUntil(10, { publisher.brokers().first?.state == .connected }) else { fatalError("the publisher did not connect") }
let metadataTopics = layout.metadata.count
_ = waitUntil(10, { publisher.brokers().first?.queued == 0 })

do {
    let receiver = try Receiver(port: broker.port, filter: "placeos/+/state/#")
    let modules = layout.stateTopics.keys.sorted()
    let keysPerModule = max(1, changes / modules.count)
    let total = modules.count * keysPerModule
    let keys = (0..<keysPerModule).map { "k\($0)" }
    started = BenchClock.now()
    for key in keys {
        for module in modules { status.set(module: module, key: key, value: 1) }
    }
    let offered = BenchClock.now() - started
    if environment["BENCH_TRACE"] != nil {
        for _ in 0..<40 {
            let b = publisher.brokers().first!
            print(String(format: "%.2f published %d queued %d received %d", BenchClock.now() - started, b.published, b.queued, receiver.received))
            if receiver.received >= total { break }
            usleep(500_000)
        }
    }
    let delivered = waitUntil(120) { receiver.received >= total }
    let elapsed = BenchClock.now() - started
    let statistics = publisher.brokers().first!
    report.add("status changes offered (\(total.formatted()) distinct topics, one thread)",
               String(format: "%.0f /s (%.2f µs each)", Double(total) / offered, offered / Double(total) * 1e6))
    report.add("status changes published → received by a subscriber",
               delivered ? String(format: "%.0f /s (%.2f s for %@)", Double(total) / elapsed, elapsed, total.formatted())
                         : "only \(receiver.received) of \(total) within 120 s", "≥ 20,000 /s")
    report.add("dropped / errors", "\(statistics.dropped) / \(statistics.errors)")
    receiver.client.close()
}

do {
    // Latency at a steady rate: the value is the sequence number; sent and received on one clock.
    let receiver = try Receiver(port: broker.port, filter: "placeos/+/state/+/+/+/+/sys-0/#", timing: true)
    let module = "mod-s0-1"
    let rate = 2_000.0
    let count = 10_000
    var sent: [Double] = []
    sent.reserveCapacity(count)
    started = BenchClock.now()
    for sequence in 0..<count {
        let due = started + Double(sequence) / rate
        while BenchClock.now() < due { usleep(50) }
        sent.append(BenchClock.now())
        status.set(module: module, key: "latency", value: .int(sequence))
    }
    _ = waitUntil(20) { receiver.counts.arrivals.withLock { $0.count } >= count }
    let arrivals = receiver.counts.arrivals.withLock { $0 }
    let latencies = arrivals.compactMap { sequence, time in sequence < sent.count ? (time - sent[sequence]) * 1000 : nil }
    report.add("status change → subscriber, p50 / p99 (\(Int(rate)) changes/s, \(latencies.count) of \(count) seen)",
               String(format: "%.2f / %.2f ms", BenchClock.percentile(latencies, 0.5), BenchClock.percentile(latencies, 0.99)))
    receiver.client.close()
}
let exposition = metrics.exposition()
publisher.shutdown()
report.add("metadata topics (systems, zones, drivers)", "\(metadataTopics)")
_ = exposition

// MARK: - In: the MQTT sensor driver

do {
    var configuration = RuntimeConfiguration()
    if let driverDirectory = environment["BENCH_DRIVER_DIR"] {
        configuration.resolver = StandardDriverResolver(bundledDirectory: driverDirectory)
    }
    let sensors = 10
    var files: [RepoFile] = []
    func file(_ path: String, _ members: [String: JSONValue]) {
        files.append(RepoFile(path: path, blob: ObjectID(hex: String(repeating: "1", count: 40))!, bytes: JSONWriter.canonicalBytes(.object(members))))
    }
    file("repositories/repo-bundled.json", ["name": "Bundled", "repo_type": "driver", "folder_name": "bundled", "uri": "bundled:Drivers"])
    file("drivers/driver-mqtt.json", ["name": "MQTT", "repository_id": "repo-bundled", "file_name": "mqtt-sensor/MQTTSensor.swift",
                                      "role": 2, "module_name": "Sensor"])
    for index in 0..<sensors {
        file("modules/mod-in-\(index).json", [
            "driver_id": "driver-mqtt", "uri": .string("mqtt://127.0.0.1:\(broker.port)"),
            "settings": ["none": ["statuses": ["reading": ["topic": .string("bench/in/\(index)"), "path": "$.v"]]]],
        ])
    }
    let engine = RuntimeEngine(configuration: configuration, repository: nil, secretBox: box)
    let statuses = Atomic<Int>(0)
    let last = Mutex<[String: Int]>([:])
    _ = engine.status.watchAll { module, key, value in
        guard key == "reading" else { return }
        statuses.add(1, ordering: .relaxed)
        if let number = value.intValue { last.withLock { $0[module] = number } }
    }
    engine.apply(Snapshot(commit: nil, files: files))
    guard waitUntil(30, { (0..<sensors).allSatisfy { engine.status.value(module: "mod-in-\($0)", key: "connected") == true } }) else {
        fatalError("the MQTT sensor modules did not connect (is driver-mqtt-sensor next to this binary?)")
    }
    usleep(300_000)   // their SUBSCRIBEs are acknowledged
    var options = MQTTClientOptions(host: "127.0.0.1", port: broker.port)
    options.queueCapacity = messages + 1
    let source = try MQTTClient(options)
    source.start()
    _ = waitUntil(10) { source.statistics.connected }
    started = BenchClock.now()
    for sequence in 1...messages {
        source.publish(topic: "bench/in/\(sequence % sensors)", text: "{\"v\":\(sequence)}")
    }
    let finalValues = (0..<sensors).map { index in messages - ((messages - index) % sensors + sensors) % sensors }
    let caughtUp = waitUntil(120) {
        last.withLock { values in (0..<sensors).allSatisfy { values["mod-in-\($0)"] == finalValues[$0] } }
    }
    let elapsed = BenchClock.now() - started
    let seen = statuses.load(ordering: .relaxed)
    report.add("MQTT messages in (\(messages.formatted()) to \(sensors) sensor modules)",
               caughtUp ? String(format: "%.0f /s, every module at its last value after %.2f s", Double(messages) / elapsed, elapsed)
                        : "not caught up within 120 s")
    report.add("→ statuses set", String(format: "%.0f /s (%@ of %@: the rest coalesced, latest per topic kept)",
                                        Double(seen) / elapsed, seen.formatted(), messages.formatted()))
    source.close()
    await engine.shutdown()
}

broker.stop()
try report.finish(valueWidth: 64)
