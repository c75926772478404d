import Foundation
import Synchronization

/// One connection to an MQTT broker over libmosquitto, with its own network thread.
///
/// - Publishing never blocks: ``publish(topic:payload:qos:retain:)`` puts the message in a
///   bounded queue (oldest dropped and counted when full; a retained message replaces a queued
///   one for its topic) and the network thread sends it once connected.
/// - The thread connects, and after a failure or a lost connection reconnects with exponential
///   back-off (0.5 s doubling to 30 s by default); subscriptions are renewed on every connection.
/// - Events (connected, disconnected with the reason, messages) arrive on the network thread:
///   keep handlers short and hand work elsewhere.
///
/// ```swift
/// let client = try MQTTClient(MQTTClientOptions(host: "127.0.0.1", port: 1883)) { event in … }
/// try client.subscribe("building/+/air")
/// client.start()
/// client.publish(topic: "building/l1/air/command", payload: Array("{}".utf8))
/// client.close()
/// ```
public final class MQTTClient: Sendable {
    public enum PublishResult: Sendable, Equatable {
        case queued
        /// Replaced a queued retained message for the same topic.
        case replaced
        /// Queued after dropping the oldest queued message (counted in `dropped`).
        case queuedDroppingOldest
        /// Not queued: the topic or payload cannot be published (counted in `errors`).
        case refused(String)
    }

    /// The largest payload MQTT allows.
    public static let maximumPayloadBytes = 268_435_455

    public let options: MQTTClientOptions
    private let state: ClientState
    private let loop: NetworkLoop
    private let started = Mutex(false)

    /// Configures the client; nothing connects until ``start()``. Throws for options libmosquitto
    /// refuses (unreadable TLS material, a certificate without its key).
    public init(_ options: MQTTClientOptions, events: (@Sendable (MQTTClientEvent) -> Void)? = nil) throws(MQTTError) {
        self.options = options
        state = try ClientState(queueCapacity: options.queueCapacity)
        loop = try NetworkLoop(options: options, state: state, events: events)
    }

    deinit { close() }

    /// Starts the network thread (once).
    public func start() {
        let first = started.withLock { started in
            defer { started = true }
            return !started
        }
        guard first else { return }
        let loop = self.loop
        let thread = Thread { loop.run() }
        thread.name = "mqtt \(options.host):\(options.port)"
        thread.start()
    }

    @discardableResult
    public func publish(topic: String, payload: [UInt8], qos: Int = 0, retain: Bool = false) -> PublishResult {
        if let problem = MQTTTopic.problem(publishingTo: topic) {
            state.recordError("cannot publish: \(problem)")
            return .refused(problem)
        }
        guard payload.count <= Self.maximumPayloadBytes else {
            let problem = "a payload of \(payload.count) bytes is larger than MQTT allows"
            state.recordError("cannot publish to \(topic): \(problem)")
            return .refused(problem)
        }
        guard (0...2).contains(qos) else { return .refused("QoS must be 0, 1 or 2") }
        let outcome = state.update { $0.queue.enqueue(.init(topic: topic, payload: payload, qos: qos, retain: retain)) }
        switch outcome {
        case .queued: return .queued
        case .replaced: return .replaced
        case .queuedDroppingOldest: return .queuedDroppingOldest
        }
    }

    @discardableResult
    public func publish(topic: String, text: String, qos: Int = 0, retain: Bool = false) -> PublishResult {
        publish(topic: topic, payload: Array(text.utf8), qos: qos, retain: retain)
    }

    /// Subscribes now if connected, and again on every reconnection.
    public func subscribe(_ filter: String, qos: Int = 0) throws(MQTTError) {
        if let problem = MQTTTopic.problem(subscribingTo: filter) { throw MQTTError(problem) }
        guard (0...2).contains(qos) else { throw MQTTError("QoS must be 0, 1 or 2") }
        state.update { fields in
            fields.subscriptions[filter] = qos
            fields.subscriptionChanges.append((filter, qos))
        }
    }

    public func unsubscribe(_ filter: String) {
        state.update { fields in
            guard fields.subscriptions.removeValue(forKey: filter) != nil else { return }
            fields.subscriptionChanges.append((filter, nil))
        }
    }

    public var statistics: MQTTClientStatistics {
        state.fields.withLock { fields in
            var statistics = fields.statistics
            statistics.dropped = fields.queue.dropped
            statistics.replaced = fields.queue.replaced
            statistics.queued = fields.queue.count
            return statistics
        }
    }

    /// Disconnects and ends the network thread. With `flushWithin`, what is queued is sent first
    /// for up to that long (when connected); with `waitUpTo`, the call returns once the thread
    /// ended or that time passed. Without either it returns at once (a broker that does not
    /// answer never holds the caller).
    public func close(flushWithin: Duration = .zero, waitUpTo: Duration = .zero) {
        let alreadyClosing = state.update { fields in
            defer { fields.closing = true }
            if !fields.closing { fields.flushDeadline = .now + flushWithin }
            return fields.closing
        }
        let running = started.withLock { $0 }
        guard !alreadyClosing || waitUpTo > .zero else { return }
        guard running else { return }
        if waitUpTo > .zero, loop.finished.wait(timeout: .now() + .milliseconds(Int(waitUpTo.milliseconds))) == .success {
            loop.finished.signal()   // ended: later waiters need not wait either
        }
    }
}
