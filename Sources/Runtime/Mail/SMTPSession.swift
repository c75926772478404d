import ConfigRepo
import Foundation

/// One SMTP conversation (RFC 5321) delivering one message: greeting, EHLO, STARTTLS when the
/// settings ask for it (then EHLO again), AUTH PLAIN or LOGIN (RFC 4954) when a username is set,
/// MAIL FROM, one RCPT TO per address, DATA with dot-stuffing, QUIT. Blocking, with the
/// socket's deadlines: run it on the mail outbox's thread, never on the cooperative pool.
struct SMTPSession {
    let settings: MailServerSettings
    let password: String?

    /// Delivers `message`; throws what went wrong, quoting the server.
    func deliver(_ message: MailMessage) throws(SMTPError) {
        let socket = try MailSocket(host: settings.host, port: settings.port, timeout: settings.timeoutSeconds)
        var connection = Connection(stream: socket)
        defer { socket.close() }
        if settings.security == .tls { connection = Connection(stream: try upgrade(socket)) }
        try connection.expect(220, after: "the greeting")
        var extensions = try hello(connection)
        if settings.security == .starttls {
            guard extensions["STARTTLS"] != nil else {
                throw .unsupported("\(settings.host) does not offer STARTTLS; set mail.security to \"tls\" or, for a relay on loopback, \"none\"")
            }
            try connection.command("STARTTLS", expect: [220])
            connection = Connection(stream: try upgrade(socket))
            extensions = try hello(connection)
        }
        if let username = settings.username {
            try authenticate(connection, username: username, mechanisms: extensions["AUTH"] ?? [])
        }
        try connection.command("MAIL FROM:<\(message.from)>", expect: [250])
        for address in message.to {
            try connection.command("RCPT TO:<\(address)>", expect: [250, 251])
        }
        try connection.command("DATA", expect: [354])
        try connection.stream.write(Array(Self.dotStuffed(message.wireText).utf8))
        try connection.expect(250, after: "the message")
        _ = try? connection.command("QUIT", expect: [221])
    }

    private func hello(_ connection: Connection) throws(SMTPError) -> [String: [String]] {
        let reply = try connection.command("EHLO \(settings.heloName)", expect: nil)
        if reply.code == 250 { return reply.extensions }
        try connection.command("HELO \(settings.heloName)", expect: [250])
        return [:]
    }

    private func upgrade(_ socket: MailSocket) throws(SMTPError) -> any MailByteStream {
        try MailTLSStream(socket: socket, host: settings.host, timeout: settings.timeoutSeconds)
    }

    /// AUTH PLAIN when offered, else LOGIN. Never over plain text to another machine: a
    /// password only crosses TLS or loopback.
    private func authenticate(_ connection: Connection, username: String, mechanisms: [String]) throws(SMTPError) {
        if settings.security == .none && !Self.isLoopback(settings.host) {
            throw .unsupported("refusing to send the mail password in plain text to \(settings.host); use mail.security \"starttls\" or \"tls\"")
        }
        let password = password ?? ""
        func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }
        if mechanisms.contains("PLAIN") {
            try connection.command("AUTH PLAIN " + base64("\0\(username)\0\(password)"), expect: [235], shown: "AUTH PLAIN")
        } else if mechanisms.contains("LOGIN") {
            try connection.command("AUTH LOGIN", expect: [334])
            try connection.command(base64(username), expect: [334], shown: "the username")
            try connection.command(base64(password), expect: [235], shown: "the password")
        } else {
            throw .unsupported("\(settings.host) offers no AUTH PLAIN or LOGIN (it offers: \(mechanisms.joined(separator: " ")))")
        }
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    /// The DATA payload: every line starting with "." gets another one (RFC 5321 §4.5.2), and
    /// the terminating "." line.
    static func dotStuffed(_ text: String) -> String {
        var lines = text.components(separatedBy: "\r\n")
        if lines.last == "" { lines.removeLast() }
        return lines.map { $0.hasPrefix(".") ? "." + $0 : $0 }.joined(separator: "\r\n") + "\r\n.\r\n"
    }

    /// Lines in, commands out, over the current stream.
    final class Connection {
        let stream: any MailByteStream
        private var buffer: [UInt8] = []

        init(stream: any MailByteStream) { self.stream = stream }

        func line() throws(SMTPError) -> String {
            while true {
                if let end = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                    var line = Array(buffer[..<end])
                    buffer.removeFirst(end + 1)
                    if line.last == UInt8(ascii: "\r") { line.removeLast() }
                    return String(decoding: line, as: UTF8.self)
                }
                guard buffer.count < 64 * 1024 else { throw .connection("an SMTP reply line longer than 64 KiB") }
                let bytes = try stream.read(maximum: 4096)
                guard !bytes.isEmpty else { throw .connection("the server closed the connection") }
                buffer += bytes
            }
        }

        func reply() throws(SMTPError) -> SMTPReply {
            try SMTPReply.read { () throws(SMTPError) -> String in try self.line() }
        }

        func expect(_ code: Int, after what: String) throws(SMTPError) {
            let reply = try reply()
            guard reply.code == code else { throw .refused(command: what, reply: reply.description) }
        }

        /// Sends `text` and reads the reply; `expect` nil takes any code. `shown` names the
        /// command in errors instead of its text (credentials).
        @discardableResult
        func command(_ text: String, expect codes: [Int]?, shown: String? = nil) throws(SMTPError) -> SMTPReply {
            try stream.write(Array((text + "\r\n").utf8))
            let reply = try reply()
            if let codes, !codes.contains(reply.code) {
                throw .refused(command: shown ?? text, reply: reply.description)
            }
            return reply
        }
    }
}
