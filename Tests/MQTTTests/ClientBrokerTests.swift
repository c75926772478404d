import Foundation
import Testing
@testable import MQTT

/// The client against a real mosquitto started by each test on a free loopback port.
@Suite(.serialized) struct ClientBrokerTests {
    @Test func publishesAndReceivesThroughTheBroker() throws {
        let broker = try MosquittoBroker()
        let subscriberLog = EventLog(), publisherLog = EventLog()
        let subscriber = try connectedClient(MQTTClientOptions(host: "127.0.0.1", port: broker.port), log: subscriberLog,
                                             subscribing: ["harbourpoint/+/air"])
        let publisher = try connectedClient(MQTTClientOptions(host: "127.0.0.1", port: broker.port), log: publisherLog)
        defer { subscriber.close(); publisher.close() }
        // The subscription is sent once connected; publish until it is in place.
        #expect(eventually {
            publisher.publish(topic: "harbourpoint/level-1/air", text: #"{"co2":612}"#)
            return !subscriberLog.messages.isEmpty
        })
        let message = try #require(subscriberLog.messages.first)
        #expect(message.topic == "harbourpoint/level-1/air")
        #expect(message.text == #"{"co2":612}"#)
        // The count may follow the delivery it counts: the subscriber can have the message first.
        #expect(eventually { publisher.statistics.published >= 1 })
        #expect(publisher.statistics.connected)
    }

    @Test func aLaterSubscriberGetsTheLastRetainedValue() throws {
        let broker = try MosquittoBroker()
        let watcherLog = EventLog()
        let watcher = try connectedClient(MQTTClientOptions(host: "127.0.0.1", port: broker.port), log: watcherLog,
                                          subscribing: ["state/#"])
        let publisher = try connectedClient(MQTTClientOptions(host: "127.0.0.1", port: broker.port), log: EventLog())
        defer { watcher.close(); publisher.close() }
        #expect(eventually {
            publisher.publish(topic: "state/ready", text: "1")
            return !watcherLog.messages.isEmpty
        })
        for value in 1...50 { publisher.publish(topic: "state/power", text: "\(value)", retain: true) }
        #expect(eventually { watcherLog.messages.contains { $0.text == "50" } })   // the broker has them all
        let log = EventLog()
        let late = try connectedClient(MQTTClientOptions(host: "127.0.0.1", port: broker.port), log: log, subscribing: ["state/#"])
        defer { late.close() }
        #expect(eventually { !log.messages.isEmpty })
        #expect(log.messages == [MQTTMessage(topic: "state/power", payload: Array("50".utf8), retain: true)])
    }

    @Test func wrongCredentialsAreRefusedWithTheBrokersReason() throws {
        var configuration = MosquittoBroker.Configuration()
        configuration.users = ["backoffice": "right horse battery"]
        let broker = try MosquittoBroker(configuration)
        let log = EventLog()
        var options = MQTTClientOptions(host: "127.0.0.1", port: broker.port)
        options.username = "backoffice"
        options.password = "wrong"
        let client = try MQTTClient(options) { log.record($0) }
        client.start()
        defer { client.close() }
        #expect(eventually { !log.disconnections.isEmpty })
        #expect(log.disconnections.first?.contains("not authori") == true)
        #expect(client.statistics.lastError?.contains("refused") == true)
        #expect(!client.statistics.connected)
        #expect(log.connections == 0)
        #expect(!(log.disconnections.first ?? "").contains("wrong"))   // the password never shows

        let goodLog = EventLog()
        options.password = "right horse battery"
        let good = try connectedClient(options, log: goodLog)
        good.close()
    }

    @Test func whileTheBrokerIsDownTheQueueIsBoundedThenDrainsWhenItComesBack() throws {
        let broker = try MosquittoBroker()
        broker.stop()
        let log = EventLog()
        var options = MQTTClientOptions(host: "127.0.0.1", port: broker.port)
        options.queueCapacity = 100
        options.reconnectInitial = .milliseconds(50)
        options.reconnectMaximum = .milliseconds(200)
        let client = try MQTTClient(options) { log.record($0) }
        client.start()
        defer { client.close() }
        #expect(eventually { log.disconnections.count >= 2 })
        #expect(log.disconnections[0].contains("Connection refused"))
        for index in 0..<1000 { client.publish(topic: "readings/\(index)", text: "\(index)") }
        var statistics = client.statistics
        #expect(statistics.queued == 100)
        #expect(statistics.dropped == 900)
        #expect(!statistics.connected)

        try broker.restart()
        // `published` is added up after a batch is handed over: wait for it, not for an empty queue.
        #expect(eventually { client.statistics.connected && client.statistics.published == 100 })
        statistics = client.statistics
        #expect(statistics.queued == 0)
        #expect(statistics.errors >= 2)
    }

    @Test func afterABrokerRestartTheClientReconnectsAndPublishingResumes() throws {
        let broker = try MosquittoBroker()
        let log = EventLog(), subscriberLog = EventLog()
        var options = MQTTClientOptions(host: "127.0.0.1", port: broker.port)
        options.reconnectInitial = .milliseconds(50)
        options.reconnectMaximum = .milliseconds(200)
        let publisher = try connectedClient(options, log: log)
        var subscriberOptions = options
        subscriberOptions.clientID = MQTTClientOptions.randomClientID()
        let subscriber = try connectedClient(subscriberOptions, log: subscriberLog, subscribing: ["resume/#"])
        defer { publisher.close(); subscriber.close() }
        try broker.restart()
        #expect(eventually { log.connections >= 2 && subscriberLog.connections >= 2 })
        #expect(!log.disconnections.isEmpty)
        // Subscriptions are renewed on the new connection: messages flow again.
        #expect(eventually {
            publisher.publish(topic: "resume/after", text: "back")
            return subscriberLog.messages.contains { $0.text == "back" }
        })
    }

    @Test func tlsConnectsWithTheRightCertificateAndSaysWhyNotWithAnother() throws {
        let server = try selfSignedCertificate()
        var configuration = MosquittoBroker.Configuration()
        configuration.tlsCertificate = server.certificate
        configuration.tlsKey = server.key
        let broker = try MosquittoBroker(configuration)

        var options = MQTTClientOptions(host: "127.0.0.1", port: broker.port)
        options.tls = .init(caCertificates: server.certificate)
        let log = EventLog()
        let client = try connectedClient(options, log: log)
        client.close()

        let stranger = try selfSignedCertificate(commonName: "someone else")
        options.tls = .init(caCertificates: stranger.certificate)
        let refusedLog = EventLog()
        let refused = try MQTTClient(options) { refusedLog.record($0) }
        refused.start()
        defer { refused.close() }
        #expect(eventually { !refusedLog.disconnections.isEmpty })
        #expect(refusedLog.disconnections[0].contains("certificate verify failed"))
        #expect(refusedLog.connections == 0)

        options.tls = .init(caCertificates: "not a certificate")
        let garbledLog = EventLog()
        let garbled = try MQTTClient(options) { garbledLog.record($0) }
        garbled.start()
        defer { garbled.close() }
        #expect(eventually { !garbledLog.disconnections.isEmpty })
        #expect(garbledLog.disconnections[0].lowercased().contains("tls"))
    }

    @Test func oversizedMessagesAreReportedNotDelivered() throws {
        let broker = try MosquittoBroker()
        let log = EventLog()
        var options = MQTTClientOptions(host: "127.0.0.1", port: broker.port)
        options.maximumIncomingBytes = 1000
        let subscriber = try connectedClient(options, log: log, subscribing: ["big/#"])
        var v5 = options
        v5.clientID = MQTTClientOptions.randomClientID()
        v5.protocolVersion = .v5
        let v5Log = EventLog()
        let v5Subscriber = try connectedClient(v5, log: v5Log, subscribing: ["big/#"])
        let publisher = try connectedClient(MQTTClientOptions(host: "127.0.0.1", port: broker.port), log: EventLog())
        defer { subscriber.close(); v5Subscriber.close(); publisher.close() }
        #expect(eventually {
            publisher.publish(topic: "big/one", payload: [UInt8](repeating: 65, count: 5000))
            publisher.publish(topic: "big/small", text: "ok")
            return log.messages.contains { $0.topic == "big/small" } && v5Log.messages.contains { $0.topic == "big/small" }
        })
        #expect(log.all.contains(.messageTooLarge(topic: "big/one", bytes: 5000)))
        #expect(!log.messages.contains { $0.topic == "big/one" })
        // MQTT 5: the broker was told the limit and never sent it.
        #expect(!v5Log.all.contains { if case .messageTooLarge = $0 { true } else { false } })
        #expect(!v5Log.messages.contains { $0.topic == "big/one" })
    }

    @Test func invalidTopicsAreRefusedAtOnce() throws {
        let client = try MQTTClient(MQTTClientOptions(host: "127.0.0.1", port: 1))
        #expect(client.publish(topic: "a/+/b", text: "x") != .queued)
        #expect(throws: MQTTError.self) { try client.subscribe("a/#/b") }
        #expect(client.statistics.errors == 1)
        #expect(client.statistics.queued == 0)
    }

    @Test func theBrokerStopsWithItsOwner() throws {
        let broker = try MosquittoBroker()
        #expect(broker.isRunning)
        let port = broker.port
        broker.stop()
        #expect(!MosquittoBroker.accepts(host: "127.0.0.1", port: port))
    }
}
