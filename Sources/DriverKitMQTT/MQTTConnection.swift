import DriverKit
import MQTT
import Synchronization

/// An MQTT connection for a module, over the same libmosquitto client the core publishes with:
/// the broker is the module's `uri` (``MQTTEndpoint``); the connection keeps the module's
/// `connected` status; messages and connection changes arrive on the driver actor through a
/// bounded, per-topic coalescing inbox (``MQTTInbox``), so a flood never grows memory.
///
/// ```swift
/// let mqtt = try MQTTConnection(context: context)
/// mqtt.onMessage = { message in … }
/// try mqtt.subscribe("building/+/air")
/// mqtt.start()
/// try mqtt.publish(topic: "building/l1/air/command", text: #"{"command":"calibrate"}"#)
/// mqtt.close()   // in stop()
/// ```
@DriverActor
public final class MQTTConnection {
    public struct Options: Sendable {
        public var username: String?
        public var password: String?
        /// PEM certificates the broker's must chain to (`mqtts://`); nil trusts the system's.
        public var caCertificates: String?
        /// Larger messages are not delivered; ``onTooLarge`` hears of them.
        public var maximumMessageBytes = 256 * 1024
        /// Topics with unread messages before new ones are dropped.
        public var inboxCapacity = 1024
        /// Outgoing messages queued while the broker is unreachable.
        public var queueCapacity = 1024
        public var clientID: String?
        public init() {}
    }

    public let endpoint: MQTTEndpoint
    /// Each message, latest per topic (older unread ones of the same topic are skipped).
    public var onMessage: (@DriverActor (MQTTMessage) -> Void)?
    /// A message larger than `maximumMessageBytes` arrived (topic, size) and was dropped.
    public var onTooLarge: (@DriverActor (String, Int) -> Void)?
    /// Connected (`reason` nil), or not, with why in words (`the broker refused the connection:
    /// not authorised`); each new reason is also logged once as a warning.
    public var onConnectionChange: (@DriverActor (_ connected: Bool, _ reason: String?) -> Void)?

    private let context: ModuleContext
    private let client: MQTTClient
    private let inbox: Inbox
    private var lastWarning: String?

    /// Shared with the client's network thread; drained on the driver actor into `connection`.
    private final class Inbox: Sendable {
        struct State { var inbox: MQTTInbox; var scheduled = false }
        let state: Mutex<State>
        @DriverActor weak var connection: MQTTConnection?
        init(capacity: Int) { state = Mutex(State(inbox: MQTTInbox(capacity: capacity))) }
    }

    public init(context: ModuleContext, options: Options = Options()) throws(DriverError) {
        guard let uri = context.config.uri else { throw .failed("the module has no uri (mqtt://host:port)") }
        endpoint = try MQTTEndpoint(uri: uri)
        self.context = context
        var clientOptions = MQTTClientOptions(host: endpoint.host, port: endpoint.port,
                                              clientID: options.clientID ?? MQTTClientOptions.randomClientID(prefix: "\(context.id)-"))
        clientOptions.username = options.username
        clientOptions.password = options.password
        if endpoint.tls { clientOptions.tls = .init(caCertificates: options.caCertificates) }
        // MQTT 5 tells the broker the size limit, so an oversized message is never sent to us.
        clientOptions.protocolVersion = .v5
        clientOptions.maximumIncomingBytes = options.maximumMessageBytes
        clientOptions.queueCapacity = options.queueCapacity
        let inbox = Inbox(capacity: options.inboxCapacity)
        self.inbox = inbox
        do {
            client = try MQTTClient(clientOptions) { event in Self.post(event, to: inbox) }
        } catch {
            throw .failed("mqtt: \(error)")
        }
        inbox.connection = self
    }

    /// Connects (and keeps reconnecting with back-off until ``close()``).
    public func start() {
        context.set("connected", false)
        client.start()
    }

    public func subscribe(_ filter: String, qos: Int = 0) throws(DriverError) {
        do { try client.subscribe(filter, qos: qos) } catch { throw .badArguments(error.message) }
    }

    public func unsubscribe(_ filter: String) { client.unsubscribe(filter) }

    /// Queues a message; it is sent once connected. Throws for a topic or payload MQTT refuses.
    public func publish(topic: String, payload: [UInt8], qos: Int = 0, retain: Bool = false) throws(DriverError) {
        if case .refused(let reason) = client.publish(topic: topic, payload: payload, qos: qos, retain: retain) {
            throw .badArguments(reason)
        }
    }

    public func publish(topic: String, text: String, qos: Int = 0, retain: Bool = false) throws(DriverError) {
        try publish(topic: topic, payload: Array(text.utf8), qos: qos, retain: retain)
    }

    public var statistics: MQTTClientStatistics { client.statistics }

    /// Messages dropped by the inbox because too many topics were unread (a flood).
    public var droppedMessages: UInt64 { inbox.state.withLock { $0.inbox.dropped } }

    /// Disconnects for good (the module is stopping).
    public func close() {
        client.close()
        onMessage = nil
        onTooLarge = nil
        onConnectionChange = nil
        inbox.connection = nil
    }

    // MARK: - From the network thread to the driver actor

    private nonisolated static func post(_ event: MQTTClientEvent, to inbox: Inbox) {
        let schedule = inbox.state.withLock { state -> Bool in
            state.inbox.post(event)
            guard !state.scheduled else { return false }
            state.scheduled = true
            return true
        }
        guard schedule else { return }
        Task { @DriverActor in
            let events = inbox.state.withLock { state -> [MQTTClientEvent] in
                state.scheduled = false
                return state.inbox.drain()
            }
            for event in events { inbox.connection?.deliver(event) }
        }
    }

    private func deliver(_ event: MQTTClientEvent) {
        switch event {
        case .connected:
            lastWarning = nil
            context.logger.debug("mqtt: connected to \(endpoint.host):\(endpoint.port)")
            context.set("connected", true)
            onConnectionChange?(true, nil)
        case .disconnected(let reason):
            if reason != lastWarning { context.logger.warning("mqtt: \(reason)") }
            lastWarning = reason
            context.set("connected", false)
            onConnectionChange?(false, reason)
        case .message(let message):
            onMessage?(message)
        case .messageTooLarge(let topic, let bytes):
            onTooLarge?(topic, bytes)
        }
    }
}
