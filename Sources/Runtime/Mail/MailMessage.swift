import ConfigRepo
import Foundation

/// A plain-text mail, and its RFC 5322 form. Header values lose line breaks (a trigger name
/// cannot inject headers); non-ASCII subjects are RFC 2047 encoded words; a body that is not
/// 7-bit ASCII with lines under 998 bytes is sent as base64.
public struct MailMessage: Sendable, Equatable {
    public var from: String
    public var to: [String]
    public var subject: String
    public var body: String
    public var date: Date

    public init(from: String, to: [String], subject: String, body: String, date: Date = Date()) {
        self.from = from
        self.to = to
        self.subject = subject
        self.body = body
        self.date = date
    }

    /// A trigger's mail: the subject is the trigger's name (PlaceOS); the body is the mailer's
    /// content followed by where and when it fired, since one zone trigger mails for every room.
    static func triggerMail(_ firing: TriggerFiring, content: String, to: [String], settings: MailServerSettings?) -> MailMessage? {
        guard let settings else { return nil }
        let when = ISO8601DateFormatter().string(from: firing.firedAt)
        let footer = """
            --
            System: \(firing.systemName) (\(firing.systemID))
            Trigger: \(firing.triggerName) (instance \(firing.instanceID))\(firing.manual ? ", fired by hand" : "")
            Fired at: \(when)
            """
        let body = content.isEmpty ? footer : content + (content.hasSuffix("\n") ? "\n" : "\n\n") + footer
        return MailMessage(from: settings.from, to: to, subject: firing.triggerName, body: body, date: firing.firedAt)
    }

    /// The message as sent after DATA, lines ending in CRLF (dot-stuffing is the session's).
    var wireText: String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        let domain = from.split(separator: "@").last.map(String.init) ?? "backoffice.local"
        var headers = [
            "Date: \(formatter.string(from: date))",
            "From: \(Self.clean(from))",
            "To: \(to.map(Self.clean).joined(separator: ", "))",
            "Subject: \(Self.encodedHeader(subject))",
            "Message-ID: <\(UUID().uuidString.lowercased())@\(Self.clean(domain))>",
            "MIME-Version: 1.0",
        ]
        let lines = body.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
        let plain = body.utf8.allSatisfy { $0 < 128 } && lines.allSatisfy { $0.utf8.count <= 998 }
        let text: String
        if plain {
            headers += ["Content-Type: text/plain; charset=us-ascii", "Content-Transfer-Encoding: 7bit"]
            text = lines.joined(separator: "\r\n")
        } else {
            headers += ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: base64"]
            let encoded = Data(lines.joined(separator: "\r\n").utf8).base64EncodedString()
            text = stride(from: 0, to: encoded.count, by: 76).map { start in
                let from = encoded.index(encoded.startIndex, offsetBy: start)
                return String(encoded[from..<(encoded.index(from, offsetBy: 76, limitedBy: encoded.endIndex) ?? encoded.endIndex)])
            }.joined(separator: "\r\n")
        }
        return headers.joined(separator: "\r\n") + "\r\n\r\n" + text + "\r\n"
    }

    /// A header value without line breaks.
    static func clean(_ text: String) -> String {
        text.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
    }

    /// ASCII as is; otherwise one `=?utf-8?B?…?=` encoded word per ≤ 45 bytes (RFC 2047).
    static func encodedHeader(_ text: String) -> String {
        let cleaned = clean(text)
        guard !cleaned.utf8.allSatisfy({ $0 < 128 }) else { return cleaned }
        var words: [String] = []
        var chunk = ""
        for character in cleaned {
            if chunk.utf8.count + String(character).utf8.count > 45 {
                words.append(chunk)
                chunk = ""
            }
            chunk.append(character)
        }
        if !chunk.isEmpty { words.append(chunk) }
        return words.map { "=?utf-8?B?\(Data($0.utf8).base64EncodedString())?=" }.joined(separator: "\r\n ")
    }
}
