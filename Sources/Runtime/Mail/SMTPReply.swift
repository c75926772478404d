/// One SMTP reply (RFC 5321 §4.2): a three-digit code and its text lines (`250-…` lines go on,
/// `250 …` ends it).
struct SMTPReply: Sendable, Equatable, CustomStringConvertible {
    var code: Int
    var lines: [String]

    var description: String { "\(code) \(lines.joined(separator: " / "))" }

    /// EHLO's extension keywords, upper case (`STARTTLS`, `AUTH PLAIN LOGIN` → `AUTH`…).
    var extensions: [String: [String]] {
        var result: [String: [String]] = [:]
        for line in lines.dropFirst() {
            let words = line.split(separator: " ").map { $0.uppercased() }
            if let keyword = words.first { result[keyword] = Array(words.dropFirst()) }
        }
        return result
    }

    /// Reads one reply from `next`, which gives lines without their CRLF.
    static func read(_ next: () throws(SMTPError) -> String) throws(SMTPError) -> SMTPReply {
        var lines: [String] = []
        while true {
            let line = try next()
            let bytes = Array(line.utf8)
            guard bytes.count >= 3, let code = Int(String(decoding: bytes[0..<3], as: UTF8.self)),
                  bytes.count == 3 || bytes[3] == UInt8(ascii: " ") || bytes[3] == UInt8(ascii: "-") else {
                throw .connection("not an SMTP reply: \"\(line.prefix(80))\"")
            }
            lines.append(bytes.count > 4 ? String(decoding: bytes[4...], as: UTF8.self) : "")
            if bytes.count == 3 || bytes[3] == UInt8(ascii: " ") { return SMTPReply(code: code, lines: lines) }
            if lines.count > 100 { throw .connection("an SMTP reply of more than 100 lines") }
        }
    }
}
