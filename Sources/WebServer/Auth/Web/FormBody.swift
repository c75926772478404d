/// `application/x-www-form-urlencoded` bodies (sign-in, consent, token requests).
enum FormBody {
    /// Largest form accepted, in bytes.
    static let maximumBytes = 16 * 1024

    /// The fields of the body; a field given twice is refused (nil), as is a malformed body.
    static func parse(_ request: Request) throws(HTTPError) -> [String: String] {
        guard request.body.count <= maximumBytes else { throw HTTPError(.payloadTooLarge, "form too large") }
        if let type = request.headers["content-type"], !type.lowercased().hasPrefix("application/x-www-form-urlencoded") {
            throw HTTPError(HTTPStatus(415), "send the form as application/x-www-form-urlencoded")
        }
        var fields: [String: String] = [:]
        for item in request.body.split(separator: UInt8(ascii: "&")) {
            let text = String(decoding: item, as: UTF8.self)
            let pieces = text.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = RequestTarget.percentDecode(pieces[0], plusIsSpace: true),
                  let value = pieces.count > 1 ? RequestTarget.percentDecode(pieces[1], plusIsSpace: true) : "" else {
                throw HTTPError(.badRequest, "malformed form")
            }
            guard fields[name] == nil else { throw HTTPError(.badRequest, "field \"\(name.prefix(40))\" given twice") }
            fields[name] = value
        }
        return fields
    }

    /// Percent-encodes everything but unreserved characters (RFC 3986).
    static func percentEncode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".utf8)
                out += "%" + String(decoding: [hex[Int(byte >> 4)], hex[Int(byte & 15)]], as: UTF8.self)
            }
        }
        return out
    }

    /// A same-origin relative URL to go to after sign-in, or the default. Absolute URLs,
    /// scheme-relative `//host`, backslashes and control characters are refused.
    static func safeContinue(_ candidate: String?, fallback: String = "/backoffice/") -> String {
        guard let candidate, candidate.hasPrefix("/"), !candidate.hasPrefix("//"), candidate.utf8.count <= 2048,
              !candidate.contains("\\"), !candidate.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
        else { return fallback }
        return candidate
    }
}
