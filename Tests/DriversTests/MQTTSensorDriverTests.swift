import DeviceSimulators
import DriverKit
import Foundation
import MQTT
import Synchronization
import Testing

/// The MQTT sensor driver as a real process, against the sensor simulator and its real broker.
@Suite(.serialized) struct MQTTSensorDriverTests {
    static let topic = "harbourpoint/level-1/air"

    func config(port: Int, settings: JSON = [:]) -> JSON {
        var members: [String: JSON] = [
            "command_topic": .string(Self.topic + "/command"),
            "statuses": [
                "co2": ["topic": .string(Self.topic), "path": "$.co2"],
                "temperature": ["topic": .string(Self.topic), "path": "$.temperature"],
            ],
        ]
        for (key, value) in settings.objectValue ?? [:] { members[key] = value }
        return ["module": "air", "uri": .string("mqtt://127.0.0.1:\(port)"), "settings": .object(members)]
    }

    /// A plain client of the simulator's broker, for publishing test messages and reading acks.
    final class Peer: Sendable {
        final class Seen: Sendable { let messages = Mutex<[MQTTMessage]>([]) }
        let client: MQTTClient
        let seen = Seen()
        init(port: Int, subscribing filter: String? = nil) throws {
            let seen = self.seen
            client = try MQTTClient(MQTTClientOptions(host: "127.0.0.1", port: port)) { event in
                if case .message(let message) = event { seen.messages.withLock { $0.append(message) } }
            }
            if let filter { try client.subscribe(filter) }
            client.start()
        }
        var messages: [MQTTMessage] { seen.messages.withLock { $0 } }
    }

    @Test func readingsBecomeStatusesAndACommandIsPublished() async throws {
        let sensors = try MQTTSensorSimulator(port: 0, topics: [Self.topic], interval: 0.2)
        defer { sensors.stop() }
        let peer = try Peer(port: sensors.port, subscribing: Self.topic + "/ack")
        defer { peer.client.close() }
        let driver = try DriverUnderTest("mqtt-sensor")
        #expect(await driver.next()?["type"] == "ready")
        #expect(await driver.start("air", config(port: sensors.port))?["ok"] == true)
        #expect(await driver.status("air", "connected", becomes: true))
        _ = await driver.next { $0["type"] == "status" && $0["key"] == "co2" }
        let co2 = try #require(driver.lastStatus("air", "co2")?.intValue)
        #expect(co2 >= 420 && co2 <= 810)
        if driver.lastStatus("air", "temperature") == nil { _ = await driver.next { $0["type"] == "status" && $0["key"] == "temperature" } }
        #expect(driver.lastStatus("air", "temperature")?.doubleValue != nil)

        #expect(await driver.exec("air", "send_command", ["calibrate"])?["ok"] == true)
        #expect(await driver.status("air", "co2", becomes: 420))
        let deadline = Date().addingTimeInterval(10)
        while !peer.messages.contains(where: { $0.topic == Self.topic + "/ack" }), Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(peer.messages.first { $0.topic == Self.topic + "/ack" }?.text == #"{"command":"calibrate","ok":true}"#)
        #expect(await driver.terminate() == 0)
    }

    @Test func badMessagesSetLastErrorAndAFloodKeepsTheLatestValue() async throws {
        let sensors = try MQTTSensorSimulator(port: 0, topics: ["elsewhere/air"], interval: 60)
        defer { sensors.stop() }
        let peer = try Peer(port: sensors.port)
        defer { peer.client.close() }
        let driver = try DriverUnderTest("mqtt-sensor")
        #expect(await driver.next()?["type"] == "ready")
        #expect(await driver.start("air", config(port: sensors.port, settings: ["max_message_bytes": 1000]))?["ok"] == true)
        #expect(await driver.status("air", "connected", becomes: true))

        peer.client.publish(topic: Self.topic, text: "{co2: oops")
        #expect(await driver.next { $0["type"] == "status" && $0["key"] == "last_error" } != nil)
        #expect(driver.lastStatus("air", "last_error")?.stringValue?.hasPrefix("harbourpoint/level-1/air: the payload is not JSON") == true)

        peer.client.publish(topic: Self.topic, text: #"{"temperature": 20}"#)
        #expect(await driver.status("air", "last_error", becomes: "harbourpoint/level-1/air: no value at $.co2 for status \"co2\""))
        #expect(await driver.status("air", "temperature", becomes: 20))

        // Too large: the broker is told the limit (MQTT 5) and never delivers it.
        peer.client.publish(topic: Self.topic, text: #"{"co2": 1, "pad": ""# + String(repeating: "x", count: 5000) + #""}"#)
        peer.client.publish(topic: Self.topic, text: #"{"co2": 2, "temperature": 21}"#)
        #expect(await driver.status("air", "co2", becomes: 2))
        #expect(!driver.seen.withLock { $0 }.contains { $0["type"] == "status" && $0["key"] == "co2" && $0["value"] == 1 })

        // A flood: 20,000 readings as fast as the broker takes them; the last one wins.
        for value in 1...20_000 { peer.client.publish(topic: Self.topic, text: "{\"co2\": \(value), \"temperature\": 21}") }
        #expect(await driver.status("air", "co2", becomes: 20_000))
        #expect(await driver.exec("air", "send_command", ["set_interval", 30])?["ok"] == true)   // still answering
        #expect(await driver.terminate() == 0)
    }

    @Test func wrongCredentialsShowInLastErrorAndTheRightOnesConnect() async throws {
        var configuration = MosquittoBroker.Configuration()
        configuration.users = ["sensor": "right"]
        let broker = try MosquittoBroker(configuration)
        let driver = try DriverUnderTest("mqtt-sensor")
        #expect(await driver.next()?["type"] == "ready")
        #expect(await driver.start("air", config(port: broker.port, settings: ["username": "sensor", "password": "wrong"]))?["ok"] == true)
        _ = await driver.next { $0["type"] == "status" && $0["key"] == "last_error" }
        // MQTT 5's reason ("not authorized"); MQTT 3.1.1 brokers say "not authorised".
        #expect(driver.lastStatus("air", "last_error")?.stringValue?.hasPrefix("the broker refused the connection: not authori") == true)
        #expect(driver.lastStatus("air", "connected") == false)
        #expect(await driver.request(["type": "update", "module": "air", "config": config(port: broker.port, settings: ["username": "sensor", "password": "right"])])?["ok"] == true)
        #expect(await driver.status("air", "connected", becomes: true))
        #expect(await driver.terminate() == 0)
    }

    @Test func settingsThatCannotWorkFailTheStartWithTheReason() async throws {
        let driver = try DriverUnderTest("mqtt-sensor")
        #expect(await driver.next()?["type"] == "ready")
        let badTopic = await driver.start("a", ["module": "a", "uri": "mqtt://127.0.0.1:1", "settings": ["statuses": ["co2": ["topic": "a/#/b"]]]])
        #expect(badTopic?["error"]?["message"]?.stringValue?.hasPrefix("statuses.co2.topic: \"a/#/b\" is not a topic filter") == true)
        let reserved = await driver.start("b", ["module": "b", "uri": "mqtt://127.0.0.1:1", "settings": ["statuses": ["connected": ["topic": "t"]]]])
        #expect(reserved?["error"]?["message"] == "statuses.connected: \"connected\" is kept by the driver itself; choose another name")
        let badPath = await driver.start("c", ["module": "c", "uri": "mqtt://127.0.0.1:1", "settings": ["statuses": ["co2": ["topic": "t", "path": "$["]]]])
        #expect(badPath?["error"]?["message"]?.stringValue?.hasPrefix("statuses.co2.path \"$[\"") == true)
        let badURI = await driver.start("d", ["module": "d", "uri": "http://127.0.0.1:1", "settings": ["statuses": ["co2": ["topic": "t"]]]])
        #expect(badURI?["error"]?["message"] == "uri \"http://127.0.0.1:1\" must start with mqtt:// or mqtts://")
        #expect(await driver.terminate() == 0)
    }
}
