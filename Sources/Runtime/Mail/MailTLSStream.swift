import Crypto

/// The SMTP session's bytes inside TLS (Crypto's `TLSClientSession`): after `STARTTLS`, or from
/// the first byte for `security: tls`. The server's certificate must chain to the system's
/// trust store (`SSL_CERT_FILE` names another bundle) and name the configured host.
final class MailTLSStream: MailByteStream {
    private let socket: MailSocket
    private let session: TLSClientSession

    init(socket: MailSocket, host: String, timeout: Double) throws(SMTPError) {
        self.socket = socket
        do {
            session = try TLSClientSession(fd: socket.fd, hostname: host, verify: true, timeout: .milliseconds(Int(timeout * 1000)))
        } catch {
            throw .connection("TLS with \(host) failed: \(error)")
        }
    }

    func read(maximum: Int) throws(SMTPError) -> [UInt8] {
        switch session.read() {
        case .data(let bytes): return bytes
        case .nothing: throw .timeout("the server did not answer in time")
        case .closed(let reason):
            // A close by the peer reads as the end of the stream; anything else is an error.
            if reason.hasPrefix("the peer closed") { return [] }
            throw .connection(reason)
        }
    }

    func write(_ bytes: [UInt8]) throws(SMTPError) {
        var offset = 0
        while offset < bytes.count {
            let count = session.write(bytes[offset...])
            if count > 0 { offset += count; continue }
            if count == -1 { throw .timeout("the server stopped reading") }
            throw .connection("writing to the server over TLS failed")
        }
    }

    func close() { socket.close() }
}
