import ConfigRepo

/// Hides setting values in log text, in every spelling a driver may log them: a driver logs
/// what it sends, and what it sends may be a password, escaped by its logger (DriverKit writes
/// bytes outside printable ASCII as `\xNN`), JSON-encoded, URL-encoded, base64 (an HTTP Basic
/// header) or hex. One pass over the line's bytes; at each position the longest match wins and
/// is replaced by ``replacement``, which is never looked at again.
///
/// - raw, URL-escaped (`%XX` in either case, `+` for a space), `\xNN`-escaped, in any mix, byte
///   by byte — values of every length, numbers as written;
/// - JSON-escaped (`\"`, `\\`, `\n`, `\u00e9`, `\/`);
/// - base64 (standard and URL-safe, with and without padding; inside a longer base64 text at
///   each of the three alignments, for cores of 4 characters or more) and hex (lower and upper
///   case, values of 2 bytes or more).
public struct SecretRedactor: Sendable {
    public static let replacement = "[hidden]"
    /// Each value's UTF-8 bytes, matched byte by byte with escapes.
    private let values: [[UInt8]]
    /// Other spellings, matched exactly.
    private let spellings: [[UInt8]]
    /// Bytes a match may start with.
    private let starts: Set<UInt8>

    public init(values: [String]) {
        let raw = Set(values.filter { !$0.isEmpty }.map { Array($0.utf8) })
        var spellings: Set<[UInt8]> = []
        for value in raw {
            for form in Self.jsonForms(value) + Self.base64Forms(value) + Self.hexForms(value) where form != value {
                spellings.insert(form)
            }
        }
        self.values = raw.sorted { $0.count > $1.count }
        self.spellings = spellings.sorted { $0.count > $1.count }
        var starts = Set(raw.compactMap(\.first) + self.spellings.compactMap(\.first))
        starts.formUnion([UInt8(ascii: "%"), UInt8(ascii: "\\"), UInt8(ascii: "+")])
        self.starts = starts
    }

    /// Whether there is nothing to hide.
    public var isEmpty: Bool { values.isEmpty }

    /// The line with every spelling of every value replaced.
    public func redact(_ line: String) -> String {
        guard !values.isEmpty else { return line }
        let bytes = Array(line.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        var changed = false
        while index < bytes.count {
            if starts.contains(bytes[index]), let length = longestMatch(bytes, at: index) {
                out.append(contentsOf: Self.replacement.utf8)
                index += length
                changed = true
            } else {
                out.append(bytes[index])
                index += 1
            }
        }
        return changed ? String(decoding: out, as: UTF8.self) : line
    }

    private func longestMatch(_ bytes: [UInt8], at start: Int) -> Int? {
        var best = 0
        for value in values {
            if let end = Self.matchEscaped(value, in: bytes, at: start) { best = max(best, end - start) }
        }
        for form in spellings where form.count > best && start + form.count <= bytes.count {
            if bytes[start..<start + form.count].elementsEqual(form) { best = form.count }
        }
        return best > 0 ? best : nil
    }

    /// Where `value` ends when it starts at `start`, each byte written as itself, `%XX`, `\xNN`
    /// or (a space) `+`; nil when it does not.
    static func matchEscaped(_ value: [UInt8], in bytes: [UInt8], at start: Int) -> Int? {
        var position = start
        for byte in value {
            guard position < bytes.count else { return nil }
            let current = bytes[position]
            if current == byte {
                position += 1
            } else if current == UInt8(ascii: "%"), position + 2 < bytes.count, hexByte(bytes[position + 1], bytes[position + 2]) == byte {
                position += 3
            } else if current == UInt8(ascii: "\\"), position + 3 < bytes.count, bytes[position + 1] == UInt8(ascii: "x"),
                      hexByte(bytes[position + 2], bytes[position + 3]) == byte {
                position += 4
            } else if current == UInt8(ascii: "+"), byte == UInt8(ascii: " ") {
                position += 1
            } else {
                return nil
            }
        }
        return position
    }

    private static func hexDigit(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    private static func hexByte(_ high: UInt8, _ low: UInt8) -> UInt8? {
        guard let high = hexDigit(high), let low = hexDigit(low) else { return nil }
        return high << 4 | low
    }

    // MARK: - Spellings

    /// The value inside a JSON string: escapes as our writer makes them, with `/` escaped or not,
    /// and non-ASCII as is or as `\uXXXX` in either case.
    static func jsonForms(_ value: [UInt8]) -> [[UInt8]] {
        let text = String(decoding: value, as: UTF8.self)
        var forms: [[UInt8]] = []
        for slash in [false, true] {
            for nonASCII in [nil, "%04x", "%04X"] as [String?] {
                var out = ""
                for scalar in text.unicodeScalars {
                    switch scalar {
                    case "\"": out += "\\\""
                    case "\\": out += "\\\\"
                    case "/" where slash: out += "\\/"
                    case "\n": out += "\\n"
                    case "\r": out += "\\r"
                    case "\t": out += "\\t"
                    case "\u{8}": out += "\\b"
                    case "\u{C}": out += "\\f"
                    case _ where scalar.value < 0x20: out += "\\u" + hex4(scalar.value, upper: nonASCII == "%04X")
                    case _ where scalar.value > 0x7E && nonASCII != nil:
                        for unit in String(scalar).utf16 { out += "\\u" + hex4(UInt32(unit), upper: nonASCII == "%04X") }
                    default: out.unicodeScalars.append(scalar)
                    }
                }
                forms.append(Array(out.utf8))
            }
        }
        return forms
    }

    private static func hex4(_ value: UInt32, upper: Bool) -> String {
        let digits = String(value, radix: 16, uppercase: upper)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// Hex of the bytes, both cases (values of 2 bytes or more: one byte's hex is too common).
    static func hexForms(_ value: [UInt8]) -> [[UInt8]] {
        guard value.count >= 2 else { return [] }
        let lower = value.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
        return [Array(lower.utf8), Array(lower.uppercased().utf8)]
    }

    /// base64 of the value alone (padded always; unpadded and URL-safe from 4 characters), and
    /// the characters that depend on the value only when it sits at each of the three byte
    /// alignments inside longer data (from 4 characters).
    static func base64Forms(_ value: [UInt8]) -> [[UInt8]] {
        var forms: [[UInt8]] = []
        let whole = base64(value)
        forms.append(Array(whole.utf8))
        for shift in 0..<3 {
            let encoded = Array(base64([UInt8](repeating: 0, count: shift) + value).utf8)
            let skip = [0, 2, 3][shift]
            let total = shift + value.count
            let tail = [0, 3, 2][total % 3]   // characters of the last group touched by what follows
            let end = encoded.count - (total % 3 == 0 ? 0 : 4) + (total % 3 == 0 ? 0 : 4 - tail)
            guard end - skip >= 4 else { continue }
            forms.append(Array(encoded[skip..<end]))
        }
        var more: [[UInt8]] = []
        for form in forms {
            let text = String(decoding: form, as: UTF8.self)
            let unpadded = text.replacingOccurrences(of: "=", with: "")
            let urlSafe = unpadded.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            for variant in [unpadded, urlSafe, text.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")]
            where variant.utf8.count >= 4 {
                more.append(Array(variant.utf8))
            }
        }
        return forms + more
    }

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func base64(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        var index = 0
        while index < bytes.count {
            let b0 = bytes[index], b1 = index + 1 < bytes.count ? bytes[index + 1] : 0, b2 = index + 2 < bytes.count ? bytes[index + 2] : 0
            out.append(alphabet[Int(b0 >> 2)])
            out.append(alphabet[Int((b0 & 0x3) << 4 | b1 >> 4)])
            out.append(index + 1 < bytes.count ? alphabet[Int((b1 & 0xF) << 2 | b2 >> 6)] : UInt8(ascii: "="))
            out.append(index + 2 < bytes.count ? alphabet[Int(b2 & 0x3F)] : UInt8(ascii: "="))
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    // MARK: - Values

    /// The text of every string and number inside a setting's value (any length; booleans and
    /// null carry too little to hide).
    public static func textValues(of value: JSONValue) -> [String] {
        switch value {
        case .string(let text): [text]
        case .number(let text): [text]
        case .array(let items): items.flatMap(textValues)
        case .object(let members): members.values.flatMap(textValues)
        default: []
        }
    }
}
