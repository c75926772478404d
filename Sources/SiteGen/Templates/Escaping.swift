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

    /// Copies runs of bytes that need no escaping whole (most values are all such bytes) and
    /// replaces the others.
    private static func appendEscaped(_ bytes: String.UTF8View, attribute: Bool, to output: inout [UInt8]) {
        let copied: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            var start = 0
            for position in 0..<buffer.count {
                guard let replacement = replacement(for: buffer[position], attribute: attribute) else { continue }
                output.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[start..<position]))
                replacement.withUTF8Buffer { output.append(contentsOf: $0) }
                start = position + 1
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[start...]))
        }
        if copied != nil { return }
        for byte in bytes {
            if let replacement = replacement(for: byte, attribute: attribute) { replacement.withUTF8Buffer { output.append(contentsOf: $0) } }
            else { output.append(byte) }
        }
    }

    /// What a byte becomes in text (and in an attribute), or nil when it stays as is.
    @inline(__always)
    private static func replacement(for byte: UInt8, attribute: Bool) -> StaticString? {
        switch byte {
        case UInt8(ascii: "&"): "&amp;"
        case UInt8(ascii: "<"): "&lt;"
        case UInt8(ascii: ">"): "&gt;"
        case UInt8(ascii: "\""): "&quot;"
        case UInt8(ascii: "'"): "&#39;"
        case UInt8(ascii: "`") where attribute: "&#96;"
        case UInt8(ascii: "=") where attribute: "&#61;"
        case 0: "\u{FFFD}"
        default: nil
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
