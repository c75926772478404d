import ConfigRepo
import MQTT

/// A broker as the publisher uses it: where and how to connect, with its sealed values opened,
/// and its filters. Two equal settings need no new connection.
struct BrokerSettings: Sendable, Equatable {
    let id: String
    let name: String
    let host: String
    let port: Int
    let tls: Bool
    let certificate: String?
    let clientCertificate: String?
    let clientKey: String?
    let username: String?
    let password: String?
    let filters: [String]
    let secret: [UInt8]
    /// Why this broker cannot be used as configured (a sealed value that does not open), or nil.
    let problem: String?

    init(_ broker: BrokerView, box: SecretBox) {
        id = broker.id
        name = broker.name
        host = broker.host
        port = broker.port
        tls = broker.tls
        certificate = broker.certificate
        filters = broker.filters
        var problems: [String] = []
        func open(_ field: String) -> String? {
            guard let envelope = broker.document.string(field) else { return nil }
            do {
                let value = try box.open(envelope, binding: .field(objectID: broker.id, path: field))
                return value.stringValue ?? JSONWriter.compactString(value)
            } catch {
                problems.append("\(field): \(error)")
                return nil
            }
        }
        switch broker.authentication {
        case .none:
            username = nil
            password = nil
            clientCertificate = nil
            clientKey = nil
        case .usernamePassword:
            username = broker.username
            password = open("password")
            clientCertificate = nil
            clientKey = nil
        case .clientCertificate:
            username = nil
            password = nil
            clientCertificate = broker.clientCertificate
            clientKey = open("client_key")
        }
        secret = open("secret").map { Array($0.utf8) } ?? []
        problem = problems.isEmpty ? nil : "cannot open the broker's sealed values: " + problems.joined(separator: "; ")
    }

    /// The client options for this broker; `clientID` must be unique on the broker.
    func clientOptions(clientID: String, queueCapacity: Int) -> MQTTClientOptions {
        var options = MQTTClientOptions(host: host, port: port, clientID: clientID)
        options.username = username
        options.password = password
        if tls {
            options.tls = .init(caCertificates: certificate, clientCertificate: clientCertificate, clientKey: clientKey)
        }
        options.queueCapacity = queueCapacity
        return options
    }
}
