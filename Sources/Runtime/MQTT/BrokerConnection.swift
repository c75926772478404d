import ConfigRepo
import Foundation
import MQTT
import Synchronization

/// One configured broker while it is configured: its client, its filter, and the errors the
/// client cannot see (statuses that cannot be a topic, values a filter broke).
final class BrokerConnection: Sendable {
    let settings: BrokerSettings
    let client: MQTTClient?
    private let filter: PayloadFilter?
    /// Why the broker is not used at all (set once, at creation).
    private let failure: String?
    private struct Rejections { var count: UInt64 = 0; var last: String? }
    private let rejections = Mutex(Rejections())

    /// The client is created but not started; `events` get its connection events.
    init(_ settings: BrokerSettings, clientID: String, queueCapacity: Int,
         events: @escaping @Sendable (MQTTClientEvent) -> Void) {
        self.settings = settings
        var failure = settings.problem
        var filter: PayloadFilter?
        do {
            filter = try PayloadFilter(patterns: settings.filters, secret: settings.secret)
        } catch {
            failure = failure ?? "a filter does not compile: \(error)"
        }
        self.filter = filter
        var client: MQTTClient?
        if failure == nil {
            do {
                client = try MQTTClient(settings.clientOptions(clientID: clientID, queueCapacity: queueCapacity), events: events)
            } catch {
                failure = error.message
            }
        }
        self.client = client
        self.failure = failure
    }

    func start() { client?.start() }

    func close(flushWithin: Duration = .zero, waitUpTo: Duration = .zero) {
        client?.close(flushWithin: flushWithin, waitUpTo: waitUpTo)
    }

    /// A status value (`json` already written) at `topic`, retained, filtered for this broker.
    func publishState(topic: String, json: String, time: Int) {
        guard let client else { return }
        var value = json
        if let filter {
            guard let filtered = filter.apply(json) else {
                return recordError("a filter made the value at \(topic) invalid JSON; not published")
            }
            value = filtered
        }
        client.publish(topic: topic, text: "{\"time\":\(time),\"value\":\(value)}", retain: true)
    }

    /// Retained bytes as they are (metadata: no filter, no secrets in it).
    func publishRetained(topic: String, payload: [UInt8]) {
        client?.publish(topic: topic, payload: payload, retain: true)
    }

    /// Removes a retained topic (a zero-length retained message).
    func clear(topic: String) {
        client?.publish(topic: topic, payload: [], retain: true)
    }

    /// Something not published (a status that cannot be a topic level, a value a filter broke).
    func recordError(_ message: String) {
        rejections.withLock { rejections in
            rejections.count += 1
            rejections.last = message
        }
    }

    var status: BrokerStatus {
        let statistics = client?.statistics ?? MQTTClientStatistics()
        let rejections = self.rejections.withLock { $0 }
        let state: BrokerStatus.State = if let failure { .failed(failure) } else if statistics.connected { .connected } else { .connecting }
        return BrokerStatus(id: settings.id, name: settings.name, host: settings.host, port: settings.port, tls: settings.tls,
                            state: state, published: statistics.published, dropped: statistics.dropped,
                            errors: statistics.errors + rejections.count, queued: statistics.queued,
                            lastError: failure ?? statistics.lastError, lastRejected: rejections.last)
    }
}
