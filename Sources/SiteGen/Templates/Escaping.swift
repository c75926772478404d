/// How a value is made safe for the place it is written to (chosen when the template is parsed).
public enum EscapeContext: Sendable, Equatable {
    /// Element content: `& < > " '` become entities.
    case text
    /// A quoted attribute value: as text, plus the backtick and `=`.
    case attribute
    /// A URL-carrying attribute (`href`, `src`, `action`, …): the scheme must be http(s),
    /// mailto or relative; anything else (javascript:, data:, vbscript:) becomes `#unsafe`.
    case url
}

enum Escaping {
    /// Appends `value` to `output`, escaped for `context`.
    static func append(_ value: String, context: EscapeContext, to output: inout [UInt8]) {
        switch context {
        case .text: appendEscaped(value.utf8, attribute: false, to: &output)
        case .attribute: appendEscaped(value.utf8, attribute: true, to: &output)
        case .url:
            if isSafeURL(value) {
                appendEscaped(value.utf8, attribute: true, to: &output)
            } else {
                output.append(contentsOf: "#unsafe-url".utf8)
            }
        }
    }

    static func escape(_ value: String, context: EscapeContext = .text) -> String {
        var output: [UInt8] = []
        append(value, context: context, to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    private static func appendEscaped(_ bytes: String.UTF8View, attribute: Bool, to output: inout [UInt8]) {
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "&"): output.append(contentsOf: "&amp;".utf8)
            case UInt8(ascii: "<"): output.append(contentsOf: "&lt;".utf8)
            case UInt8(ascii: ">"): output.append(contentsOf: "&gt;".utf8)
            case UInt8(ascii: "\""): output.append(contentsOf: "&quot;".utf8)
            case UInt8(ascii: "'"): output.append(contentsOf: "&#39;".utf8)
            case UInt8(ascii: "`") where attribute: output.append(contentsOf: "&#96;".utf8)
            case UInt8(ascii: "=") where attribute: output.append(contentsOf: "&#61;".utf8)
            case 0: output.append(contentsOf: "\u{FFFD}".utf8)
            default: output.append(byte)
            }
        }
    }

    /// True for relative URLs and the schemes a link may use. Browsers ignore tabs, newlines
    /// and leading control characters inside a scheme, so they are ignored here too.
    static func isSafeURL(_ value: String) -> Bool {
        var scheme: [UInt8] = []
        for byte in value.utf8 {
            if byte <= 0x20 { continue }
            if byte == UInt8(ascii: ":") {
                let name = String(decoding: scheme, as: UTF8.self).lowercased()
                return ["http", "https", "mailto"].contains(name)
            }
            if byte == UInt8(ascii: "/") || byte == UInt8(ascii: "?") || byte == UInt8(ascii: "#") { return true }
            scheme.append(byte)
        }
        return true
    }
}
