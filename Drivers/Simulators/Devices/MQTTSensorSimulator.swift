import Dispatch
import DriverKit
import Foundation
import MQTT
import Synchronization

/// Air-quality sensors that publish over MQTT, with the real broker they publish to: Debian's
/// `mosquitto`, started on the simulator's port (``MosquittoBroker``).
///
/// Every `interval` seconds each topic gets `{"co2": ppm, "temperature": °C, "humidity": %}`,
/// on a deterministic curve per topic (CO2 rising and falling over ten minutes as if people came
/// and went). Each sensor listens on `<topic>/command` for `{"command": …, "value": …}`:
/// `calibrate` brings its CO2 back to the outdoor 420 ppm for a minute, `set_interval` changes
/// how often all sensors report; every command is acknowledged on `<topic>/ack`.
///
/// Faults: `silent` stops publishing, `error` publishes payloads that are not JSON, `delay_ms`
/// holds each round back, `drop_connections` restarts the broker (every client is cut off and
/// reconnects).
public final class MQTTSensorSimulator: DeviceSimulator {
    /// The sample building's sensors, one per level.
    public static let defaultTopics = (1...3).map { "harbourpoint/level-\($0)/air" }

    public struct Reading: Sendable, Equatable {
        public var co2: Int
        public var temperature: Double
        public var humidity: Double
        var json: String { "{\"co2\":\(co2),\"humidity\":\(humidity),\"temperature\":\(temperature)}" }
    }

    public let kind = SimulatorKind.mqttSensor
    public let stats = SimulatorStats()
    public let faults = Faults()
    public let topics: [String]
    public let broker: MosquittoBroker
    private let client: MQTTClient
    nonisolated(unsafe) private let timer: any DispatchSourceTimer   // thread-safe in practice: Dispatch sources are
    /// When each sensor was last calibrated.
    private let calibratedAt = Mutex<[String: Date]>([:])

    public var port: Int { broker.port }

    public init(host: String = "127.0.0.1", port: Int, topics: [String] = MQTTSensorSimulator.defaultTopics, interval: Double = 5) throws {
        precondition(interval > 0, "the reporting interval is positive")
        self.topics = topics.isEmpty ? Self.defaultTopics : topics
        var configuration = MosquittoBroker.Configuration(port: port)
        configuration.host = host
        configuration.maximumPacketBytes = 1 << 20
        broker = try MosquittoBroker(configuration)
        // The client's handler needs `self`, which exists only once the client does: it is
        // handed over through this box after initialisation.
        let commands = Mutex<(@Sendable (MQTTMessage) -> Void)?>(nil)
        var options = MQTTClientOptions(host: host, port: broker.port, clientID: MQTTClientOptions.randomClientID(prefix: "simulator-"))
        options.reconnectMaximum = .seconds(2)
        client = try MQTTClient(options) { event in
            if case .message(let message) = event { commands.withLock { $0 }?(message) }
        }
        for topic in self.topics { try client.subscribe(topic + "/command") }
        timer = DispatchSource.makeTimerSource(queue: .global())
        commands.withLock { $0 = { [weak self] message in self?.command(message) } }
        timer.setEventHandler { [weak self] in self?.publishRound() }
        timer.schedule(deadline: .now(), repeating: interval)
        client.start()
        timer.resume()
    }

    public func dropConnections() { try? broker.restart() }

    public func stop() {
        timer.cancel()
        client.close()
        broker.stop()
    }

    /// A sensor's reading at `time` (seconds since 1970).
    public func reading(topic: String, at time: Double = Date().timeIntervalSince1970) -> Reading {
        var hash: UInt32 = 2166136261
        for byte in topic.utf8 { hash = (hash ^ UInt32(byte)) &* 16777619 }
        let phase = Double(hash % 1000) / 1000 * 2 * .pi
        let people = max(0, sin(2 * .pi * time / 600 + phase))
        var co2 = 420 + Int((380 * people).rounded()) + Int(time / 5) % 7
        if let calibrated = calibratedAt.withLock({ $0[topic] }), time - calibrated.timeIntervalSince1970 < 60 { co2 = 420 }
        let temperature = ((21 + 1.5 * sin(2 * .pi * time / 1800 + phase)) * 10).rounded() / 10
        let humidity = ((45 + 5 * sin(2 * .pi * time / 3600 + phase)) * 10).rounded() / 10
        return Reading(co2: co2, temperature: temperature, humidity: humidity)
    }

    private func publishRound() {
        let faults = self.faults.current
        if faults.silent { return }
        if faults.delayMilliseconds > 0 { usleep(UInt32(min(faults.delayMilliseconds, 10_000)) * 1000) }
        let now = Date().timeIntervalSince1970
        for topic in topics {
            let payload = faults.error ? "{co2: sensor fault" : reading(topic: topic, at: now).json
            client.publish(topic: topic, text: payload, retain: true)
            stats.request()
        }
    }

    private func command(_ message: MQTTMessage) {
        guard message.topic.hasSuffix("/command") else { return }
        let topic = String(message.topic.dropLast("/command".count))
        var ack: [String: JSON] = [:]
        do {
            let body = try JSONParser.parse(message.payload)
            guard let name = body["command"]?.stringValue else { throw DriverError.failed("no \"command\" in the message") }
            ack["command"] = .string(name)
            switch name {
            case "calibrate":
                calibratedAt.withLock { $0[topic] = Date() }
                client.publish(topic: topic, text: reading(topic: topic).json, retain: true)
            case "set_interval":
                guard let seconds = body["value"]?.doubleValue, seconds >= 0.05, seconds <= 3600 else {
                    throw DriverError.failed("set_interval needs a value from 0.05 to 3600 seconds")
                }
                timer.schedule(deadline: .now() + seconds, repeating: seconds)
            default:
                throw DriverError.failed("unknown command \"\(name)\"; the sensor knows calibrate and set_interval")
            }
            ack["ok"] = true
        } catch {
            ack["ok"] = false
            ack["error"] = .string("\(error)")
        }
        client.publish(topic: topic + "/ack", text: JSON.object(ack).serialized)
    }
}
