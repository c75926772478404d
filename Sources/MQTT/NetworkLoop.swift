import CMosquitto
import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// The network thread of one ``MQTTClient``: connects (and reconnects with back-off), feeds
/// queued messages to libmosquitto only while its socket takes them, reads, pings, and reports.
///
/// It polls the client's socket and a wake-up eventfd itself and drives libmosquitto with
/// `mosquitto_loop_read`/`_write`/`_misc`, so libmosquitto's own outgoing list never holds more
/// than one batch: everything else waits in the bounded ``OutgoingQueue``. All libmosquitto calls
/// and callbacks happen on this thread.
final class NetworkLoop: @unchecked Sendable {
    private enum Phase {
        /// Not connected; the next attempt is due at `nextAttempt`.
        case idle
        /// CONNECT sent, waiting for CONNACK since the instant given.
        case awaitingConnack(ContinuousClock.Instant)
        case connected
    }

    /// Messages handed to libmosquitto per batch, between checks that its socket takes more.
    static let batchSize = 128

    private let options: MQTTClientOptions
    private let state: ClientState
    private let events: (@Sendable (MQTTClientEvent) -> Void)?
    let finished = DispatchSemaphore(value: 0)
    private var handle: MosquittoHandle!
    private var phase = Phase.idle
    private var nextAttempt = ContinuousClock.now
    private var backoff: ReconnectBackoff
    /// Message ids of QoS 1/2 messages sent and not yet acknowledged.
    private var awaitingAcknowledgement = Set<Int32>()
    /// The broker's reason for refusing the last CONNECT.
    private var refusal: String?
    /// The last error or warning libmosquitto logged (OpenSSL's reasons for a failed handshake).
    private var libraryMessage: String?
    /// Set by the CONNACK callback; acted on once the read returns.
    private var justConnected = false
    /// Counted on this thread, folded into the shared statistics once per batch.
    private var publishedSinceFold: UInt64 = 0

    init(options: MQTTClientOptions, state: ClientState, events: (@Sendable (MQTTClientEvent) -> Void)?) throws(MQTTError) {
        self.options = options
        self.state = state
        self.events = events
        backoff = ReconnectBackoff(initial: options.reconnectInitial, maximum: options.reconnectMaximum)
        handle = try MosquittoHandle(options: options, context: Unmanaged.passUnretained(self).toOpaque())
    }

    static func from(_ context: UnsafeMutableRawPointer?) -> NetworkLoop {
        Unmanaged<NetworkLoop>.fromOpaque(context!).takeUnretainedValue()
    }

    // MARK: - The loop

    func run() {
        defer { finished.signal() }
        while true {
            let (closing, deadline) = state.fields.withLock { ($0.closing, $0.flushDeadline) }
            if closing {
                let flushing = isConnected && deadline.map { ContinuousClock.now < $0 } == true
                    && !state.fields.withLock({ $0.queue.isEmpty && $0.subscriptionChanges.isEmpty })
                if !flushing {
                    disconnectGracefully()
                    return
                }
            }
            switch phase {
            case .idle:
                let wait = nextAttempt - ContinuousClock.now
                if wait > .zero {
                    state.wake.wait(timeout: wait)
                    state.fields.withLock { $0.wakePending = false }
                } else {
                    connect()
                }
            case .awaitingConnack(let since):
                let left = options.connectTimeout - (ContinuousClock.now - since)
                if left <= .zero {
                    lost("the broker did not complete the connection within \(options.connectTimeout)")
                } else {
                    service(timeout: min(left, .seconds(1)))
                }
            case .connected:
                // More to send and room in the socket: look at it without waiting.
                let more = send()
                service(timeout: more ? .zero : .seconds(1))
            }
        }
    }

    private var isConnected: Bool {
        if case .connected = phase { return true }
        return false
    }

    private func connect() {
        refusal = nil
        libraryMessage = nil
        var properties: OpaquePointer?
        defer { mosquitto_property_free_all(&properties) }
        if options.protocolVersion == .v5 {
            // Tells the broker not to send larger packets, so an oversized message never reaches us.
            let limit = UInt32(clamping: options.maximumIncomingBytes + 1024)
            mosquitto_property_add_int32(&properties, Int32(MQTT_PROP_MAXIMUM_PACKET_SIZE.rawValue), limit)
        }
        // Blocking only for name lookup and the TCP connect, on this thread alone.
        let code = mosquitto_connect_bind_v5(handle.raw, options.host, Int32(options.port), Int32(options.keepAlive), nil, properties)
        guard code == MOSQ_ERR_SUCCESS.rawValue else {
            lost(describe(code, doing: "cannot connect to \(options.host):\(options.port)"))
            return
        }
        phase = .awaitingConnack(.now)
    }

    /// Polls the socket and the wake-up, then lets libmosquitto read, write and ping.
    private func service(timeout: Duration) {
        let socket = handle.socket
        guard socket >= 0 else { return lost("the connection closed") }
        var descriptors = [
            pollfd(fd: socket, events: Int16(POLLIN) | (handle.wantsWrite ? Int16(POLLOUT) : 0), revents: 0),
            pollfd(fd: state.wake.fd, events: Int16(POLLIN), revents: 0),
        ]
        _ = poll(&descriptors, 2, Int32(clamping: timeout.milliseconds))
        if descriptors[1].revents != 0 {
            state.wake.drain()
            state.fields.withLock { $0.wakePending = false }
        }
        let ready = descriptors[0].revents
        var code = MOSQ_ERR_SUCCESS.rawValue
        if ready & Int16(POLLIN | POLLERR | POLLHUP) != 0 {
            code = mosquitto_loop_read(handle.raw, 1)
        }
        if code == MOSQ_ERR_SUCCESS.rawValue, handle.socket >= 0, ready & Int16(POLLOUT) != 0 || handle.wantsWrite {
            code = mosquitto_loop_write(handle.raw, 1)
        }
        if code == MOSQ_ERR_SUCCESS.rawValue, handle.socket >= 0 {
            code = mosquitto_loop_misc(handle.raw)
        }
        if code != MOSQ_ERR_SUCCESS.rawValue || handle.socket < 0 {
            return lost(refusal ?? describe(code, doing: "connection to \(options.host):\(options.port) lost"))
        }
        if justConnected {
            justConnected = false
            phase = .connected
            backoff.reset()
            renewSubscriptions()
            state.fields.withLock { $0.statistics.connected = true }
            events?(.connected)
        }
    }

    /// Hands queued messages to libmosquitto while its socket keeps up, a few thousand at a time
    /// so that reading and pinging are not held up. True when more could be sent at once.
    private func send() -> Bool {
        sendSubscriptionChanges()
        var handed = 0
        while !handle.wantsWrite, handle.socket >= 0 {
            guard handed < Self.batchSize * 32 else {
                foldPublished()
                return !state.fields.withLock { $0.queue.isEmpty }
            }
            let batch = state.fields.withLock { $0.queue.dequeue(upTo: Self.batchSize) }
            if batch.isEmpty { break }
            for (index, item) in batch.enumerated() {
                if item.qos > 0, awaitingAcknowledgement.count >= options.maximumInflight {
                    state.fields.withLock { $0.queue.requeueAtFront(Array(batch[index...])) }
                    foldPublished()
                    return false   // until an acknowledgement arrives
                }
                var messageID: Int32 = 0
                let code = item.payload.withUnsafeBytes { payload in
                    mosquitto_publish(handle.raw, &messageID, item.topic, Int32(payload.count), payload.baseAddress, Int32(item.qos), item.retain)
                }
                switch code {
                case MOSQ_ERR_SUCCESS.rawValue:
                    publishedSinceFold += 1
                    if item.qos > 0 { awaitingAcknowledgement.insert(messageID) }
                case MOSQ_ERR_NO_CONN.rawValue, MOSQ_ERR_CONN_LOST.rawValue, MOSQ_ERR_ERRNO.rawValue:
                    // The connection failed under us: keep the rest for the next one.
                    state.fields.withLock { $0.queue.requeueAtFront(Array(batch[index...])) }
                    foldPublished()
                    return false
                default:
                    state.recordError(describe(code, doing: "cannot publish to \(item.topic)"))
                }
            }
            handed += batch.count
        }
        foldPublished()
        return false
    }

    private func foldPublished() {
        guard publishedSinceFold > 0 else { return }
        let count = publishedSinceFold
        publishedSinceFold = 0
        state.fields.withLock { $0.statistics.published += count }
    }

    private func renewSubscriptions() {
        let all = state.fields.withLock { fields in
            fields.subscriptionChanges = []
            return fields.subscriptions
        }
        for (filter, qos) in all.sorted(by: { $0.key < $1.key }) { subscribe(filter, qos: qos) }
    }

    private func sendSubscriptionChanges() {
        let changes = state.fields.withLock { fields in
            defer { fields.subscriptionChanges = [] }
            return fields.subscriptionChanges
        }
        for change in changes {
            if let qos = change.qos {
                subscribe(change.filter, qos: qos)
            } else {
                let code = mosquitto_unsubscribe(handle.raw, nil, change.filter)
                if code != MOSQ_ERR_SUCCESS.rawValue { state.recordError(describe(code, doing: "cannot unsubscribe from \(change.filter)")) }
            }
        }
    }

    private func subscribe(_ filter: String, qos: Int) {
        let code = mosquitto_subscribe(handle.raw, nil, filter, Int32(qos))
        if code != MOSQ_ERR_SUCCESS.rawValue { state.recordError(describe(code, doing: "cannot subscribe to \(filter)")) }
    }

    /// The connection failed or ended: count it, tell the owner, try again after the back-off.
    private func lost(_ reason: String) {
        phase = .idle
        justConnected = false
        let delay = backoff.nextDelay()
        nextAttempt = .now + delay
        state.fields.withLock { fields in
            fields.statistics.connected = false
            fields.statistics.errors += 1
            fields.statistics.lastError = reason
        }
        events?(.disconnected(reason: reason))
    }

    private func disconnectGracefully() {
        foldPublished()
        if isConnected {
            mosquitto_disconnect(handle.raw)
            _ = mosquitto_loop_write(handle.raw, 1)
        }
        state.fields.withLock { $0.statistics.connected = false }
        handle = nil
    }

    /// A result code in words, with OpenSSL's reason when libmosquitto logged one.
    private func describe(_ code: Int32, doing action: String) -> String {
        var text = MQTTError.library(code, doing: action).message
        if code == MOSQ_ERR_TLS.rawValue || code == MOSQ_ERR_TLS_HANDSHAKE.rawValue || code == MOSQ_ERR_PROTOCOL.rawValue,
           let detail = libraryMessage {
            text += " (\(detail))"
        }
        return text
    }

    // MARK: - Callbacks (inside mosquitto_loop_read on this thread)

    func brokerAnsweredConnect(code: Int32) {
        if code == 0 {
            justConnected = true
        } else {
            let text = options.protocolVersion == .v5 ? mosquitto_reason_string(code) : mosquitto_connack_string(code)
            var reason = String(cString: text!).trimmingSuffix(".").lowercased()
            if reason.hasPrefix("connection refused: ") { reason.removeFirst("connection refused: ".count) }
            refusal = "the broker refused the connection: \(reason)"
        }
    }

    func received(_ message: mosquitto_message) {
        let topic = message.topic.map { String(cString: $0) } ?? ""
        let size = Int(message.payloadlen)
        state.fields.withLock { $0.statistics.received += 1 }
        guard size <= options.maximumIncomingBytes else {
            events?(.messageTooLarge(topic: topic, bytes: size))
            return
        }
        let payload = size == 0 || message.payload == nil
            ? [] : Array(UnsafeRawBufferPointer(start: message.payload, count: size))
        events?(.message(MQTTMessage(topic: topic, payload: payload, qos: Int(message.qos), retain: message.retain)))
    }

    /// A QoS 1/2 message was acknowledged (QoS 0 ones are reported when written; not tracked).
    func acknowledged(_ messageID: Int32) {
        awaitingAcknowledgement.remove(messageID)
    }

    func libraryLogged(_ text: String) {
        libraryMessage = text
    }
}
