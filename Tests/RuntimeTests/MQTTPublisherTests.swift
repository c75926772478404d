import ConfigRepo
import Foundation
import Metrics
import MQTT
import Synchronization
import Testing
@testable import Runtime

/// The publisher against a real mosquitto started by each test, read by a real subscriber.
@Suite(.serialized) struct MQTTPublisherTests {
    static let hvacTopic = "placeos/zone-harbourpoint/state/_/zone-hp-tower/zone-hp-l1/_/sys-l1-huddle/driver-modbus-hvac/HVAC/1"

    /// What a subscriber to `placeos/#` saw: topic → last payload (empty = cleared).
    final class Subscriber: Sendable {
        final class Received: Sendable {
            let payloads = Mutex<[String: [UInt8]]>([:])
        }
        let client: MQTTClient
        private let received = Received()

        init(port: Int, filter: String = "placeos/#") throws {
            let received = self.received
            client = try MQTTClient(MQTTClientOptions(host: "127.0.0.1", port: port)) { event in
                guard case .message(let message) = event else { return }
                received.payloads.withLock { $0[message.topic] = message.payload }
            }
            try client.subscribe(filter)
            client.start()
        }

        func payload(_ topic: String) -> [UInt8]? { received.payloads.withLock { $0[topic] } }
        func json(_ topic: String) -> JSONValue? { payload(topic).flatMap { try? JSONParser.parse($0) } }
    }

    /// The sample building without its demo broker (nothing listens on its placeholder port here).
    static func snapshot(_ edits: [String: [String: JSONValue]?] = [:]) -> Snapshot {
        var edits = edits
        edits["brokers/broker-harbourpoint-demo.json"] = .some(nil)
        return SampleConfig.snapshot(edits)
    }

    static func broker(_ id: String = "broker-test", port: Int, extra: [String: JSONValue] = [:], box: SecretBox = SampleSecrets.box) -> [String: JSONValue] {
        var members: [String: JSONValue] = ["name": .string(id), "host": "127.0.0.1", "port": .int(port)]
        for (key, value) in extra { members[key] = value }
        let document = ConfigDocument(ref: ObjectRef(.broker, id), members: members, version: nil, path: "brokers/\(id).json")
        return SecretSealer(box: box).seal(document).members
    }

    func publisher(_ snapshot: Snapshot, status: StatusStore = StatusStore(), metrics: MetricsRegistry = MetricsRegistry(),
                   log: @escaping MQTTPublisher.Logger = { _ in }) -> (MQTTPublisher, StatusStore) {
        let publisher = MQTTPublisher(status: status, box: SampleSecrets.box, metrics: metrics, log: log)
        _ = status.watchAll { module, key, value in publisher.statusChanged(module: module, key: key, value: value) }
        publisher.apply(snapshot, directory: SystemDirectory(snapshot: snapshot))
        return (publisher, status)
    }

    @Test func aStatusChangeArrivesRetainedWithTimeAndValueAndMetadataIsThere() async throws {
        let broker = try MosquittoBroker()
        let snapshot = Self.snapshot(["brokers/broker-test.json": Self.broker(port: broker.port)])
        let metrics = MetricsRegistry()
        let (publisher, status) = publisher(snapshot, metrics: metrics)
        defer { publisher.shutdown() }
        #expect(await eventually { publisher.brokers().first?.state == .connected })
        let before = Int(Date().timeIntervalSince1970)
        status.set(module: "mod-l1-huddle-hvac", key: "setpoint", value: .number("21.5"))
        let subscriber = try Subscriber(port: broker.port)   // after the fact: retained values only
        defer { subscriber.client.close() }
        let topic = Self.hvacTopic + "/setpoint"
        #expect(await eventually { subscriber.json(topic) != nil })
        let payload = try #require(subscriber.json(topic))
        #expect(payload["value"]?.doubleValue == 21.5)
        let time = try #require(payload["time"]?.intValue)
        #expect(time >= before && time <= Int(Date().timeIntervalSince1970))
        #expect(String(decoding: subscriber.payload(topic)!, as: UTF8.self).hasPrefix(#"{"time":"#))
        #expect(await eventually { subscriber.json("placeos/zone-harbourpoint/metadata/sys-l1-huddle")?["name"] == "L1 Huddle Room" })
        #expect(subscriber.json("placeos/zone-harbourpoint/metadata/driver-pjlink-projector")?["settings"] == nil)
        let exposition = metrics.exposition()
        #expect(exposition.contains(#"backoffice_mqtt_connected{broker="broker-test"} 1"#))
        #expect(exposition.contains(#"backoffice_mqtt_published_total{broker="broker-test"} "#))
    }

    @Test func aRenamedModuleClearsItsOldTopicAndARemovedOneClearsAll() async throws {
        let broker = try MosquittoBroker()
        let brokerFile = Self.broker(port: broker.port)
        let snapshot = Self.snapshot(["brokers/broker-test.json": brokerFile])
        let (publisher, status) = publisher(snapshot)
        defer { publisher.shutdown() }
        let subscriber = try Subscriber(port: broker.port)
        defer { subscriber.client.close() }
        #expect(await eventually { publisher.brokers().first?.state == .connected })
        status.set(module: "mod-l1-huddle-hvac", key: "mode", value: "cool")
        #expect(await eventually { subscriber.json(Self.hvacTopic + "/mode")?["value"] == "cool" })

        var module = SampleConfig.members("modules/mod-l1-huddle-hvac.json")
        module["custom_name"] = "Climate"
        let renamed = Self.snapshot(["brokers/broker-test.json": brokerFile, "modules/mod-l1-huddle-hvac.json": module])
        publisher.apply(renamed, directory: SystemDirectory(snapshot: renamed))
        let newTopic = Self.hvacTopic.replacingOccurrences(of: "/HVAC/1", with: "/Climate/1") + "/mode"
        #expect(await eventually { subscriber.payload(Self.hvacTopic + "/mode") == [] })
        #expect(await eventually { subscriber.json(newTopic)?["value"] == "cool" })

        // A system moved to another level moves its topics.
        var system = SampleConfig.members("systems/sys-l1-huddle.json")
        system["zones"] = ["zone-harbourpoint", "zone-hp-tower", "zone-hp-l2"]
        let moved = Self.snapshot(["brokers/broker-test.json": brokerFile, "modules/mod-l1-huddle-hvac.json": module,
                                              "systems/sys-l1-huddle.json": system])
        publisher.apply(moved, directory: SystemDirectory(snapshot: moved))
        let movedTopic = newTopic.replacingOccurrences(of: "/zone-hp-l1/", with: "/zone-hp-l2/")
        #expect(await eventually { subscriber.payload(newTopic) == [] && subscriber.json(movedTopic)?["value"] == "cool" })

        // Removed from its system (and so from every topic): cleared.
        system["modules"] = .array((system["modules"]?.arrayValue ?? []).filter { $0 != "mod-l1-huddle-hvac" })
        let removed = Self.snapshot(["brokers/broker-test.json": brokerFile, "modules/mod-l1-huddle-hvac.json": module,
                                                "systems/sys-l1-huddle.json": system])
        publisher.apply(removed, directory: SystemDirectory(snapshot: removed))
        #expect(await eventually { subscriber.payload(movedTopic) == [] })
    }

    @Test func filtersHashAnEmailAndBadStatusNamesAreRejected() async throws {
        let broker = try MosquittoBroker()
        let file = Self.broker(port: broker.port, extra: ["secret": "correlate me", "filters": [#"[a-z.]+@[a-z.]+\.[a-z]{2,}"#]])
        let snapshot = Self.snapshot(["brokers/broker-test.json": file])
        let (publisher, status) = publisher(snapshot)
        defer { publisher.shutdown() }
        let subscriber = try Subscriber(port: broker.port)
        defer { subscriber.client.close() }
        #expect(await eventually { publisher.brokers().first?.state == .connected })
        status.set(module: "mod-l1-huddle-logic", key: "organiser", value: "jamie@harbourpoint.example")
        let topic = "placeos/zone-harbourpoint/state/_/zone-hp-tower/zone-hp-l1/_/sys-l1-huddle/driver-room-logic/RoomLogic/1/organiser"
        #expect(await eventually { subscriber.json(topic) != nil })
        let expected = PayloadFilterTests.hmac(key: "correlate me", "jamie@harbourpoint.example")
        #expect(subscriber.json(topic)?["value"] == .string(expected))

        status.set(module: "mod-l1-huddle-logic", key: "a/b", value: 1)
        #expect(await eventually { publisher.brokers().first?.lastRejected != nil })
        #expect(publisher.brokers().first?.lastRejected == "module mod-l1-huddle-logic: status \"a/b\" cannot be a topic level: it contains \"/\"; not published")
    }

    @Test func wrongCredentialsShowOnTheBrokerAndNothingElseIsDisturbed() async throws {
        var configuration = MosquittoBroker.Configuration()
        configuration.users = ["backoffice": "correct"]
        let broker = try MosquittoBroker(configuration)
        let lines = LogLines()
        let file = Self.broker(port: broker.port, extra: ["username": "backoffice", "password": "wrong"])
        let snapshot = Self.snapshot(["brokers/broker-test.json": file])
        let (publisher, status) = publisher(snapshot, log: { lines.append($0) })
        defer { publisher.shutdown() }
        #expect(await eventually { publisher.brokers().first?.lastError != nil })
        let state = try #require(publisher.brokers().first)
        #expect(state.state == .connecting)
        #expect(state.lastError == "the broker refused the connection: not authorised")
        #expect(state.errors >= 1)
        for value in 0..<50 { status.set(module: "mod-l1-huddle-hvac", key: "setpoint", value: .int(value)) }
        #expect(status.value(module: "mod-l1-huddle-hvac", key: "setpoint") == 49)
        #expect(publisher.brokers().first?.queued ?? 0 <= 1)   // retained: one per topic while waiting
        #expect(lines.all.contains { $0.contains("mqtt broker-test: the broker refused the connection: not authorised") })
        #expect(!lines.all.contains { $0.contains("wrong") })

        // Corrected by a commit: the broker reconnects with the new credentials and catches up.
        let fixed = Self.snapshot(["brokers/broker-test.json": Self.broker(port: broker.port, extra: ["username": "backoffice", "password": "correct"])])
        publisher.apply(fixed, directory: SystemDirectory(snapshot: fixed))
        let subscriber = try Subscriber(port: broker.port)
        defer { subscriber.client.close() }
        #expect(await eventually { publisher.brokers().first?.state == .connected })
        _ = subscriber
    }

    @Test func aBrokerRemovedByACommitDisconnectsAndOneAddedConnects() async throws {
        let broker = try MosquittoBroker()
        let (publisher, _) = publisher(Self.snapshot())
        defer { publisher.shutdown() }
        #expect(publisher.brokers().isEmpty)
        let added = Self.snapshot(["brokers/broker-test.json": Self.broker(port: broker.port)])
        publisher.apply(added, directory: SystemDirectory(snapshot: added))
        #expect(await eventually { publisher.brokers().first?.state == .connected })
        let removed = Self.snapshot()
        publisher.apply(removed, directory: SystemDirectory(snapshot: removed))
        #expect(publisher.brokers().isEmpty)
    }

    @Test func aBrokerThatRestartsGetsTheWholeStateAgain() async throws {
        let broker = try MosquittoBroker()
        let snapshot = Self.snapshot(["brokers/broker-test.json": Self.broker(port: broker.port)])
        let (publisher, status) = publisher(snapshot)
        defer { publisher.shutdown() }
        #expect(await eventually { publisher.brokers().first?.state == .connected })
        status.set(module: "mod-l1-huddle-hvac", key: "setpoint", value: 20)
        try broker.restart()   // no persistence: its retained messages are gone
        status.set(module: "mod-l1-huddle-hvac", key: "fan_speed", value: "high")   // while it is down or reconnecting
        #expect(await eventually { publisher.brokers().first?.state == .connected })
        let subscriber = try Subscriber(port: broker.port)
        defer { subscriber.client.close() }
        #expect(await eventually {
            subscriber.json(Self.hvacTopic + "/setpoint")?["value"] == 20 && subscriber.json(Self.hvacTopic + "/fan_speed")?["value"] == "high"
        })
    }
}

extension PayloadFilterTests {
    static func hmac(key: String, _ text: String) -> String {
        (try! PayloadFilter(patterns: ["x"], secret: Array(key.utf8)))!.hash(text)
    }
}

/// Lines a publisher logged.
final class LogLines: Sendable {
    private let lines = Mutex<[String]>([])
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }
}
