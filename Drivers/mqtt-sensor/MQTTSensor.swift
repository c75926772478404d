import DriverKit
import DriverKitMQTT
import MQTT

/// A device that talks MQTT (PlaceOS "MQTT bridge"): subscribes to the topics named in its
/// settings and turns each message into statuses, one JSON path per status; `send_command`
/// publishes to the device's command topic. The broker is the module's `uri`
/// (`mqtt://host:port`, `mqtts://` for TLS).
///
/// ```json
/// "statuses": {
///   "co2": {"topic": "harbourpoint/level-1/air", "path": "$.co2"},
///   "temperature": {"topic": "harbourpoint/level-1/air", "path": "$.temperature"}
/// },
/// "command_topic": "harbourpoint/level-1/air/command"
/// ```
///
/// Bad input never stops the module: a refused or lost connection (wrong credentials, a broker
/// certificate that does not verify against `ca_certificate`) sets `last_error` and is retried
/// with back-off; a message that is not JSON, lacks the path or is larger than
/// `max_message_bytes` sets `last_error` and is skipped; a flood is coalesced per topic
/// (the latest reading wins) and what could not be kept is counted in `dropped_messages`.
final class MQTTSensor: DriverModule {
    /// Statuses the driver keeps itself; a configured status may not use these names.
    static let ownStatuses: Set<String> = ["connected", "last_error", "dropped_messages"]

    static let info = DriverInfo(
        name: "MQTT Sensor",
        description: "MQTT device: statuses from messages (a topic and a JSON path per status), commands published to a topic.",
        moduleName: "Sensor",
        role: .service,
        defaultURI: "mqtt://127.0.0.1:1883",
        defaultSettings: ["statuses": [:], "max_message_bytes": 65536, "command_qos": 1],
        settingsSchema: ["type": "object", "properties": [
            "statuses": ["type": "object"],
            "command_topic": ["type": "string"],
            "username": ["type": "string"],
            "password": ["type": "string"],
            "ca_certificate": ["type": "string"],
            "max_message_bytes": ["type": "integer", "minimum": 16, "maximum": 16_777_216],
            "command_qos": ["type": "integer", "minimum": 0, "maximum": 2],
        ]],
        implements: ["MQTT"]
    )

    static let functions: [Function<MQTTSensor>] = [
        Function("send_command", description: "Publish {\"command\": command, \"value\": value} to the command topic.",
                 args: [Argument("command", .string), Argument("value", .any, default: .null)]) { sensor, args in
            try sensor.sendCommand(try args.get("command", as: String.self), value: args.values["value"] ?? .null)
        },
        Function("publish", description: "Publish a text payload to any topic.",
                 args: [Argument("topic", .string), Argument("payload", .string), Argument("retain", .boolean, default: false)],
                 security: .support) { sensor, args in
            try sensor.publish(topic: try args.get("topic", as: String.self), text: try args.get("payload", as: String.self),
                               retain: try args.get("retain", as: Bool.self))
        },
    ]

    /// One configured status: the topic filter it reads and where in the message its value is.
    struct Source: Equatable {
        let status: String
        let filter: String
        let path: JSONPath
    }

    let context: ModuleContext
    private var sources: [Source] = []
    private var connection: MQTTConnection?
    private var reportedDrops: UInt64 = 0

    init(context: ModuleContext) { self.context = context }

    func start() async throws { try connect() }

    func update() async throws {
        disconnect()
        try connect()
    }

    func stop() async { disconnect() }

    private func connect() throws {
        sources = try Self.sources(from: context.settings.values["statuses"] ?? context.settings.defaults["statuses"] ?? [:])
        var options = MQTTConnection.Options()
        options.username = context.settings.get("username", as: String.self)
        options.password = context.settings.get("password", as: String.self)
        options.caCertificates = context.settings.get("ca_certificate", as: String.self)
        let limit = context.settings.get("max_message_bytes", default: 65536)
        options.maximumMessageBytes = limit
        let mqtt = try MQTTConnection(context: context, options: options)
        mqtt.onMessage = { [weak self] message in self?.received(message) }
        mqtt.onConnectionChange = { [weak self] connected, reason in
            // The connection logs its own warning; the status says it to whoever looks.
            if !connected, let reason { self?.problem(reason, logged: true) }
        }
        mqtt.onTooLarge = { [weak self] topic, bytes in
            self?.problem("\(topic): a message of \(bytes) bytes is larger than max_message_bytes (\(limit)); ignored")
        }
        for filter in Set(sources.map(\.filter)).sorted() { try mqtt.subscribe(filter) }
        mqtt.start()
        connection = mqtt
        context.schedule.every(.seconds(1)) { [weak self] in self?.reportDrops() }
    }

    private func disconnect() {
        connection?.close()
        connection = nil
        context.schedule.cancelAll()
    }

    /// The `statuses` setting, checked: every status names a topic filter and a JSON path.
    static func sources(from setting: JSON) throws(DriverError) -> [Source] {
        guard let statuses = setting.objectValue else { throw .failed("setting \"statuses\" must be an object of status → {topic, path}") }
        var sources: [Source] = []
        for (status, source) in statuses.sorted(by: { $0.key < $1.key }) {
            let place = "statuses.\(status)"
            if ownStatuses.contains(status) { throw .failed("\(place): \"\(status)\" is kept by the driver itself; choose another name") }
            guard let topic = source["topic"]?.stringValue else { throw .failed("\(place).topic must be a topic filter (a string)") }
            if let problem = MQTTTopic.problem(subscribingTo: topic) { throw .failed("\(place).topic: \(problem)") }
            let path: JSONPath
            do { path = try JSONPath(source["path"]?.stringValue ?? "$") } catch { throw .failed("\(place).\(error.message)") }
            sources.append(Source(status: status, filter: topic, path: path))
        }
        if sources.isEmpty { throw .failed("setting \"statuses\" names no status: nothing to subscribe to") }
        return sources
    }

    private func received(_ message: MQTTMessage) {
        let matching = sources.filter { MQTTTopic.matches(message.topic, filter: $0.filter) }
        guard !matching.isEmpty else { return }
        var json: JSON?
        var parseError: String?
        do { json = try JSONParser.parse(message.payload) } catch { parseError = error.description }
        for source in matching {
            if let json {
                guard let value = source.path.value(in: json) else {
                    problem("\(message.topic): no value at \(source.path) for status \"\(source.status)\"")
                    continue
                }
                context.setStatus(source.status, value)
            } else if source.path.isRoot {
                context.set(source.status, message.text)   // a plain-text payload, as it came
            } else {
                problem("\(message.topic): the payload is not JSON (\(parseError ?? "")), so \(source.path) cannot be read")
            }
        }
    }

    /// Sets `last_error` (kept until the next error) and logs a new one as a warning.
    private func problem(_ text: String, logged: Bool = false) {
        if !logged, context[status: "last_error"] != .string(text) { context.logger.warning(text) }
        context.set("last_error", text)
    }

    private func reportDrops() {
        guard let dropped = connection?.droppedMessages, dropped != reportedDrops else { return }
        reportedDrops = dropped
        context.set("dropped_messages", Int(dropped))
        problem("more messages arrived than the module could keep up with; \(dropped) dropped so far (the latest per topic are kept)")
    }

    func sendCommand(_ command: String, value: JSON) throws {
        guard let topic = context.settings.get("command_topic", as: String.self) else {
            throw DriverError.failed("no command_topic is set for this module")
        }
        let payload: JSON = value.isNull ? ["command": .string(command)] : ["command": .string(command), "value": value]
        try publish(topic: topic, text: payload.serialized, qos: context.settings.get("command_qos", default: 1))
    }

    func publish(topic: String, text: String, qos: Int = 0, retain: Bool = false) throws {
        guard let connection else { throw DriverError(.offline, "the module is not connected to its broker") }
        try connection.publish(topic: topic, text: text, qos: qos, retain: retain)
        context.logger.debug("published \(text.utf8.count) bytes to \(topic)")
    }
}
