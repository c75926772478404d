/// The bytes an SMTP session runs over: the plain socket, or a TLS session on it after
/// `STARTTLS` (or from the start, for `security: tls`).
protocol MailByteStream: AnyObject {
    /// Up to `maximum` bytes; empty when the server closed the connection.
    func read(maximum: Int) throws(SMTPError) -> [UInt8]
    func write(_ bytes: [UInt8]) throws(SMTPError)
    func close()
}
