import ConfigRepo
import Foundation
import Testing
@testable import Runtime

/// The text the SMTP client sends: headers, encodings, dot-stuffing, replies.
@Suite struct MailMessageTests {
    let date = Date(timeIntervalSince1970: 1_750_000_000)

    func headers(_ message: MailMessage) -> [String] {
        let text = message.wireText
        return text[..<text.range(of: "\r\n\r\n")!.lowerBound].components(separatedBy: "\r\n")
    }

    @Test func aPlainMessageIsSevenBitWithCRLFLines() {
        let message = MailMessage(from: "bo@example.com", to: ["a@example.com", "b@example.com"], subject: "Driver offline",
                                  body: "Line one\nLine two", date: date)
        let text = message.wireText
        #expect(headers(message).contains("Subject: Driver offline"))
        #expect(headers(message).contains("To: a@example.com, b@example.com"))
        #expect(headers(message).contains("Date: Sun, 15 Jun 2025 15:06:40 +0000"))
        #expect(headers(message).contains("Content-Transfer-Encoding: 7bit"))
        #expect(text.hasSuffix("\r\n\r\nLine one\r\nLine two\r\n"))
    }

    @Test func nonASCIISubjectsAndBodiesAreEncoded() throws {
        let message = MailMessage(from: "bo@example.com", to: ["a@example.com"], subject: "Salle « Phare » vide",
                                  body: "Température 26 °C", date: date)
        let subject = try #require(headers(message).first { $0.hasPrefix("Subject: ") })
        #expect(subject == "Subject: =?utf-8?B?\(Data("Salle « Phare » vide".utf8).base64EncodedString())?=")
        #expect(headers(message).contains("Content-Transfer-Encoding: base64"))
        let body = message.wireText.components(separatedBy: "\r\n\r\n")[1].trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(String(decoding: Data(base64Encoded: body)!, as: UTF8.self) == "Température 26 °C")
    }

    @Test func aTriggerNameCannotInjectHeaders() {
        let message = MailMessage(from: "bo@example.com", to: ["a@example.com"], subject: "Hi\r\nBcc: everyone@example.com", body: "x", date: date)
        #expect(!headers(message).contains { $0.hasPrefix("Bcc:") })
        #expect(headers(message).contains("Subject: Hi  Bcc: everyone@example.com"))
    }

    @Test func linesStartingWithADotAreStuffedAndTheMessageEndsWithADotLine() {
        #expect(SMTPSession.dotStuffed("a\r\n.b\r\n..c\r\n") == "a\r\n..b\r\n...c\r\n.\r\n")
        #expect(SMTPSession.dotStuffed(".") == "..\r\n.\r\n")
    }

    @Test func repliesSpanLinesAndListExtensions() throws {
        var lines = ["250-mail.example.com greets you", "250-SIZE 1000", "250-STARTTLS", "250 AUTH PLAIN LOGIN"][...]
        let reply = try SMTPReply.read { () throws(SMTPError) -> String in lines.removeFirst() }
        #expect(reply.code == 250)
        #expect(reply.extensions == ["SIZE": ["1000"], "STARTTLS": [], "AUTH": ["PLAIN", "LOGIN"]])
        var bad = ["hello"][...]
        #expect(throws: SMTPError.connection("not an SMTP reply: \"hello\"")) {
            _ = try SMTPReply.read { () throws(SMTPError) -> String in bad.removeFirst() }
        }
    }

    @Test func aTriggerMailNamesTheRoomAndTheTime() throws {
        let state = TriggerInstanceState(instanceID: "trig-1", triggerID: "trigger-offline", systemID: "sys-l1", enabled: true,
                                         execEnabled: false, important: false, triggerName: "Driver offline", systemName: "L1 Huddle",
                                         triggered: true, triggerCount: 1, actionErrors: 0, comparisonErrors: 0, conditions: [:],
                                         lastFired: date, lastError: nil, problems: [])
        let firing = TriggerFiring(instanceID: "trig-1", triggerID: "trigger-offline", triggerName: "Driver offline",
                                   systemID: "sys-l1", systemName: "L1 Huddle", firedAt: date, manual: false, state: state)
        let settings = MailServerSettings(host: "smtp.example.com", from: "bo@example.com")
        let message = try #require(MailMessage.triggerMail(firing, content: "A driver went offline.", to: ["ops@example.com"], settings: settings))
        #expect(message.subject == "Driver offline")
        #expect(message.from == "bo@example.com")
        #expect(message.body == "A driver went offline.\n\n--\nSystem: L1 Huddle (sys-l1)\nTrigger: Driver offline (instance trig-1)\nFired at: 2025-06-15T15:06:40Z")
        #expect(MailMessage.triggerMail(firing, content: "x", to: ["ops@example.com"], settings: nil) == nil)
    }
}
