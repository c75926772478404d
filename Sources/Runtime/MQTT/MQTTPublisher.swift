import ConfigRepo
import Foundation
import Metrics
import MQTT
import Synchronization

/// Publishes every module status change to every configured broker, in PlaceOS's topic layout
/// (``MQTTTopicLayout``), retained, with payload `{"time": <unix seconds>, "value": <JSON>}`;
/// metadata topics carry the systems, zones and drivers. docs/mqtt.md has the contract.
///
/// - Hot apply (``apply(_:directory:)``): a module renamed, moved to another system or zone, or
///   removed has its old retained topics cleared (zero-length retained messages) and its values
///   published at the new ones; brokers added, edited or removed connect, reconnect, disconnect.
/// - Every (re)connection publishes the whole current state, so a broker that restarted without
///   persistence, or was down while things changed, catches up.
/// - Nothing here waits for a broker: each has a bounded queue (a retained topic queued twice
///   is sent once, with the newer value) and its own network thread.
public final class MQTTPublisher: Sendable {
    public struct Options: Sendable {
        /// Messages a broker's queue holds while it is down or slow; beyond, the oldest are
        /// dropped (and counted). Retained topics queue once each, so this is also the number
        /// of topics a resynchronisation can hold.
        public var queueCapacity = 100_000
        /// How long shutdown waits for queued messages to reach connected brokers.
        public var flushOnShutdown: Duration = .seconds(1)
        public init() {}
    }

    public typealias Logger = @Sendable (_ line: String) -> Void

    private struct State {
        var layout = MQTTTopicLayout()
        var connections: [String: BrokerConnection] = [:]
        /// The last connection error logged per broker, so a broker that stays down logs once.
        var lastLogged: [String: String] = [:]
        var closed = false
    }

    private let status: StatusStore
    private let box: SecretBox
    private let options: Options
    private let log: Logger
    /// Also the order lock: a change, an apply and a resynchronisation never interleave, so a
    /// topic's messages are queued in the order of the values they carry.
    private let state = Mutex(State())

    public init(status: StatusStore, box: SecretBox, metrics: MetricsRegistry, options: Options = Options(),
                log: @escaping Logger = { _ in }) {
        self.status = status
        self.box = box
        self.options = options
        self.log = log
        registerMetrics(metrics)
    }

    // MARK: - Configuration

    /// Takes a new configuration: brokers, and the topics each module's status goes to. Call it
    /// before the status of removed modules is dropped: their old topics are cleared from it.
    public func apply(_ snapshot: Snapshot, directory: SystemDirectory) {
        let layout = MQTTTopicLayout(snapshot: snapshot, directory: directory)
        let wanted = Dictionary(uniqueKeysWithValues: snapshot.unordered(.broker).map {
            ($0.id, BrokerSettings(BrokerView($0), box: box))
        })
        var created: [BrokerConnection] = []
        let retired: [BrokerConnection] = state.withLock { state in
            guard !state.closed else { return [] }
            var retired: [BrokerConnection] = []
            for (id, connection) in state.connections where wanted[id] != connection.settings {
                retired.append(connection)
                state.connections[id] = nil
                state.lastLogged[id] = nil
            }
            let kept = Array(state.connections.values)
            for connection in kept { move(from: state.layout, to: layout, on: connection) }
            for (id, settings) in wanted where state.connections[id] == nil {
                let connection = makeConnection(settings)
                state.connections[id] = connection
                created.append(connection)
            }
            state.layout = layout
            return retired
        }
        for connection in retired {
            connection.close()
            log("mqtt \(connection.settings.id): disconnected (configuration changed)")
        }
        for connection in created {
            if let problem = connection.status.lastError, connection.client == nil {
                log("mqtt \(connection.settings.id): not connecting: \(problem)")
            }
            connection.start()
        }
    }

    /// The topic changes between two layouts, for one broker: clears for topics that went away,
    /// current values for topics that appeared, metadata that changed.
    private func move(from old: MQTTTopicLayout, to new: MQTTTopicLayout, on connection: BrokerConnection) {
        let time = Self.now()
        for (module, oldPrefixes) in old.stateTopics {
            let newPrefixes = Set(new.stateTopics[module] ?? [])
            let gone = oldPrefixes.filter { !newPrefixes.contains($0) }
            guard !gone.isEmpty else { continue }
            let keys = status.values(module: module).keys
            for prefix in gone {
                for key in keys where MQTTTopicLayout.levelProblem(key) == nil {
                    connection.clear(topic: MQTTTopicLayout.stateTopic(prefix: prefix, status: key))
                }
            }
        }
        for (module, newPrefixes) in new.stateTopics {
            let oldPrefixes = Set(old.stateTopics[module] ?? [])
            let added = newPrefixes.filter { !oldPrefixes.contains($0) }
            guard !added.isEmpty else { continue }
            let values = status.values(module: module)
            for prefix in added { publish(values, module: module, prefixes: [prefix], time: time, to: [connection]) }
        }
        for (topic, payload) in new.metadata where old.metadata[topic] != payload {
            connection.publishRetained(topic: topic, payload: payload)
        }
        for topic in old.metadata.keys where new.metadata[topic] == nil {
            connection.clear(topic: topic)
        }
    }

    private func makeConnection(_ settings: BrokerSettings) -> BrokerConnection {
        let clientID = MQTTClientOptions.randomClientID(prefix: "backoffice-\(settings.id)-")
        let id = settings.id
        return BrokerConnection(settings, clientID: clientID, queueCapacity: options.queueCapacity) { [weak self] event in
            self?.connectionEvent(event, broker: id)
        }
    }

    private func connectionEvent(_ event: MQTTClientEvent, broker: String) {
        switch event {
        case .connected:
            let target = state.withLock { $0.connections[broker] }
            guard let target else { return }
            log("mqtt \(broker): connected to \(target.settings.host):\(target.settings.port)")
            state.withLock { $0.lastLogged[broker] = nil }
            resynchronise(broker)
        case .disconnected(let reason):
            let first = state.withLock { state in
                defer { state.lastLogged[broker] = reason }
                return state.lastLogged[broker] != reason
            }
            if first { log("mqtt \(broker): \(reason); retrying with back-off") }
        case .message, .messageTooLarge:
            break   // the publisher subscribes to nothing
        }
    }

    /// Everything, again, to one broker: on every connection, so the broker holds the current
    /// state whatever it missed or lost.
    private func resynchronise(_ broker: String) {
        state.withLock { state in
            guard let connection = state.connections[broker] else { return }
            let time = Self.now()
            for (topic, payload) in state.layout.metadata { connection.publishRetained(topic: topic, payload: payload) }
            for (module, prefixes) in state.layout.stateTopics {
                publish(status.values(module: module), module: module, prefixes: prefixes, time: time, to: [connection])
            }
        }
    }

    // MARK: - Status

    /// One status change (from the status store's watcher); `null` publishes `"value": null`.
    public func statusChanged(module: String, key: String, value: JSONValue) {
        state.withLock { state in
            guard !state.connections.isEmpty, let prefixes = state.layout.stateTopics[module] else { return }
            publish([key: value], module: module, prefixes: prefixes, time: Self.now(), to: Array(state.connections.values))
        }
    }

    private func publish(_ values: [String: JSONValue], module: String, prefixes: [String], time: Int, to connections: [BrokerConnection]) {
        for (key, value) in values {
            if let problem = MQTTTopicLayout.levelProblem(key) {
                for connection in connections {
                    connection.recordError("module \(module): status \"\(key)\" cannot be a topic level: \(problem); not published")
                }
                continue
            }
            let json = JSONWriter.compactString(value)
            for prefix in prefixes {
                let topic = MQTTTopicLayout.stateTopic(prefix: prefix, status: key)
                for connection in connections { connection.publishState(topic: topic, json: json, time: time) }
            }
        }
    }

    // MARK: - Reading

    /// Every configured broker, sorted by id.
    public func brokers() -> [BrokerStatus] {
        state.withLock { Array($0.connections.values) }.map(\.status).sorted { $0.id < $1.id }
    }

    /// The topic layout in use (tests, the site).
    public var layout: MQTTTopicLayout { state.withLock { $0.layout } }

    /// Sends what is queued to connected brokers (up to `Options.flushOnShutdown`), then disconnects.
    public func shutdown() {
        let connections = state.withLock { state in
            state.closed = true
            defer { state.connections = [:] }
            return Array(state.connections.values)
        }
        for connection in connections { connection.close(flushWithin: options.flushOnShutdown) }
        for connection in connections { connection.close(waitUpTo: options.flushOnShutdown + .milliseconds(500)) }
    }

    private static func now() -> Int { Int(Date().timeIntervalSince1970) }

    private func registerMetrics(_ metrics: MetricsRegistry) {
        func family(_ name: String, _ type: MetricType, _ help: String, _ value: @escaping @Sendable (BrokerStatus) -> Double) {
            metrics.collect(name, type: type, help: help, labels: ["broker"]) { [weak self] in
                (self?.brokers() ?? []).map { MetricsRegistry.Sample([$0.id], value($0)) }
            }
        }
        family("backoffice_mqtt_published_total", .counter, "Status and metadata messages handed to each MQTT broker.") { Double($0.published) }
        family("backoffice_mqtt_dropped_total", .counter, "Messages dropped because a broker's queue was full.") { Double($0.dropped) }
        family("backoffice_mqtt_errors_total", .counter, "Connection failures and messages that could not be published, per broker.") { Double($0.errors) }
        family("backoffice_mqtt_queued", .gauge, "Messages waiting for each broker.") { Double($0.queued) }
        family("backoffice_mqtt_connected", .gauge, "1 while connected to the broker, else 0.") { $0.state == .connected ? 1 : 0 }
    }
}
