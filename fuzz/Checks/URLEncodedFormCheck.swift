// Internal to WebServer: see HTTPRequestParserCheck.swift for why this is conditional.
#if DEBUG || FUZZING
@testable import WebServer

/// The urlencoded-form decoder (form bodies and query strings). Properties: the fields are the
/// `&`-separated byte runs, names ending at the first `=` byte (as every other reader of the
/// request cuts them, whatever characters follow); a decoded form encodes back to text that
/// decodes to the same pairs; only a text with a `%` is refused (a malformed escape, or bytes
/// that are not UTF-8 once decoded); percent-decoding text without `%` or `+` changes nothing.
public enum URLEncodedFormCheck: FuzzCheck {
    public static let name = "form"

    public static func check(_ input: [UInt8]) throws(PropertyViolation) {
        let text = String(decoding: input, as: UTF8.self)
        let percent = text.utf8.contains(UInt8(ascii: "%"))
        guard let pairs = URLEncodedForm.pairs(text[...]) else {
            try require(percent, "refused a form with no escape in it: \(text.debugDescription)")
            return
        }
        let runs = text.utf8.split(separator: UInt8(ascii: "&"))
        try require(pairs.count == runs.count, "\(pairs.count) fields where the bytes hold \(runs.count): \(text.debugDescription)")
        if !percent && !text.utf8.contains(UInt8(ascii: "+")) {
            let names = runs.map { String(decoding: $0.prefix { $0 != UInt8(ascii: "=") }, as: UTF8.self) }
            try require(pairs.map(\.name) == names, "names \(pairs.map(\.name)) where the bytes say \(names)")
        }
        let encoded = pairs.map { encode($0.name) + "=" + encode($0.value) }.joined(separator: "&")
        guard let again = URLEncodedForm.pairs(encoded[...]) else {
            throw PropertyViolation("the re-encoded form \(encoded.debugDescription) does not decode")
        }
        try require(again.map(\.name) == pairs.map(\.name) && again.map(\.value) == pairs.map(\.value),
                    "decode(encode(form)) changed the form: \(pairs) against \(again)")
        if !percent && !text.utf8.contains(UInt8(ascii: "+")) {
            try require(URLEncodedForm.percentDecode(text, plusIsSpace: true) == text, "decoding text with no escape changed it")
        }
    }

    /// Every byte but unreserved ones as `%XX`, as a browser would send it.
    static func encode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(UnicodeScalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".utf8)
                out += "%" + String(decoding: [hex[Int(byte >> 4)], hex[Int(byte & 15)]], as: UTF8.self)
            }
        }
        return out
    }
}
#endif
