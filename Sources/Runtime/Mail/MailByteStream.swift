/// The bytes an SMTP session runs over: the plain socket, or a TLS session on it after
/// `STARTTLS` (or from the start, for `security: tls`).
protocol MailByteStream: AnyObject {
    /// Up to `maximum` bytes; empty when the server closed the connection.
    func read(maximum: Int) throws(SMTPError) -> [UInt8]
    func write(_ bytes: [UInt8]) throws(SMTPError)
    func close()
}

/// Turns the plain socket into a TLS stream (handshake, server name, certificate check against
/// `host`), within `timeout` seconds. The TLS client session comes from the Crypto module.
typealias MailTLSUpgrade = @Sendable (_ socket: MailSocket, _ host: String, _ timeout: Double) throws(SMTPError) -> any MailByteStream
