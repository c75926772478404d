/// How an ``MQTTClient`` connects: where, as whom, over what, and within which limits.
public struct MQTTClientOptions: Sendable {
    public enum ProtocolVersion: Int32, Sendable {
        case v311 = 4
        case v5 = 5
    }

    /// TLS to the broker. PEM texts, not paths: configuration holds certificates as text.
    public struct TLS: Sendable, Equatable {
        /// The certificates the broker's must chain to; nil trusts the system's store.
        public var caCertificates: String?
        /// A client certificate and its private key, for brokers that authenticate clients by certificate.
        public var clientCertificate: String?
        public var clientKey: String?
        /// Checks that the broker's certificate names `host` (on unless a test needs an IP-only certificate).
        public var verifyHostname = true

        public init(caCertificates: String? = nil, clientCertificate: String? = nil, clientKey: String? = nil,
                    verifyHostname: Bool = true) {
            self.caCertificates = caCertificates
            self.clientCertificate = clientCertificate
            self.clientKey = clientKey
            self.verifyHostname = verifyHostname
        }
    }

    public var host: String
    public var port: Int
    /// Unique per connection on a broker: a second client with the same id disconnects the first.
    public var clientID: String
    public var username: String?
    public var password: String?
    public var tls: TLS?
    public var protocolVersion = ProtocolVersion.v311
    /// Seconds between pings when idle (5 or more).
    public var keepAlive = 30
    /// Publishes waiting for a connection beyond this many: the oldest is dropped and counted.
    public var queueCapacity = 10_000
    /// Larger incoming messages are not delivered (counted, reported). With MQTT 5 the broker is
    /// also told not to send them at all (CONNECT's maximum packet size), which bounds memory.
    public var maximumIncomingBytes = 1 << 20
    /// First wait before reconnecting; doubles per failure up to `reconnectMaximum`.
    public var reconnectInitial: Duration = .milliseconds(500)
    public var reconnectMaximum: Duration = .seconds(30)
    /// How long a CONNECT may wait for the broker's CONNACK (TLS handshake included).
    public var connectTimeout: Duration = .seconds(10)
    /// QoS 1 and 2 messages in flight before the client waits for acknowledgements.
    public var maximumInflight = 20

    public init(host: String, port: Int = 1883, clientID: String = MQTTClientOptions.randomClientID()) {
        self.host = host
        self.port = port
        self.clientID = clientID
    }

    /// `backoffice-` and 12 random letters and digits.
    public static func randomClientID(prefix: String = "backoffice-") -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        return prefix + String((0..<12).map { _ in alphabet.randomElement()! })
    }
}
