import Foundation
import MQTT
import Synchronization

/// What a client told its owner, collected for assertions.
final class EventLog: Sendable {
    private let events = Mutex<[MQTTClientEvent]>([])

    func record(_ event: MQTTClientEvent) { events.withLock { $0.append(event) } }

    var all: [MQTTClientEvent] { events.withLock { $0 } }

    var messages: [MQTTMessage] {
        all.compactMap { if case .message(let message) = $0 { message } else { nil } }
    }

    var connections: Int { all.filter { $0 == .connected }.count }

    var disconnections: [String] {
        all.compactMap { if case .disconnected(let reason) = $0 { reason } else { nil } }
    }
}

/// Polls `condition` until it holds or `seconds` pass (no timing is asserted: only the outcome).
func eventually(_ seconds: Double = 10, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        usleep(10_000)
    }
    return condition()
}

/// A connected client whose events go to `log`.
func connectedClient(_ options: MQTTClientOptions, log: EventLog, subscribing filters: [String] = []) throws -> MQTTClient {
    let client = try MQTTClient(options) { log.record($0) }
    for filter in filters { try client.subscribe(filter) }
    client.start()
    guard eventually(10, { log.connections > 0 }) else {
        throw MQTTError("did not connect: \(log.disconnections.last ?? "no reason")")
    }
    return client
}

/// A self-signed certificate for 127.0.0.1 made with the openssl command: (certificate, key).
func selfSignedCertificate(commonName: String = "127.0.0.1") throws -> (certificate: String, key: String) {
    let directory = NSTemporaryDirectory() + "mqtt-tls-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
    process.arguments = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                         "-keyout", directory + "/key.pem", "-out", directory + "/cert.pem",
                         "-subj", "/CN=\(commonName)", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    return (try String(contentsOfFile: directory + "/cert.pem", encoding: .utf8),
            try String(contentsOfFile: directory + "/key.pem", encoding: .utf8))
}
