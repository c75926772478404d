/// Follows the HTML around a template's tags so each variable is escaped for where it sits.
///
/// This is a small lexical model of HTML (text, tags, attributes, comments, script/style),
/// enough to know whether a `{{tag}}` is in element text, in a quoted attribute value (and
/// which attribute) or somewhere no value may go (inside a tag name, an unquoted attribute,
/// a script or style element, a comment).
struct HTMLContextScanner {
    enum State: Equatable {
        case text
        case tagOpen
        case tagName(String)
        case closingTag
        case inTag(String)
        case attributeName(tag: String, name: String)
        case afterAttributeName(tag: String, name: String)
        case beforeValue(tag: String, name: String)
        case quotedValue(tag: String, name: String, quote: UInt8)
        case unquotedValue(tag: String, name: String)
        case comment
        case declaration
        case rawText(String)
    }

    private(set) var state: State = .text

    /// The state with "between attributes" and "in an attribute name" made equal: a section
    /// may add whole attributes (`{{#on}} checked{{/on}}`) without changing the context.
    var sectionContext: State {
        switch state {
        case .attributeName(let tag, _), .afterAttributeName(let tag, _): .inTag(tag)
        default: state
        }
    }

    /// Attributes whose value is a URL.
    static let urlAttributes: Set<String> = ["href", "src", "action", "formaction", "xlink:href", "poster", "cite", "data", "background"]

    /// Advances over `source[start..<end]`; may peek past `end` for multi-byte markers.
    mutating func scan(_ source: [UInt8], from start: Int, to end: Int) {
        var index = start
        while index < end {
            let byte = source[index]
            switch state {
            case .text:
                if byte == UInt8(ascii: "<") { state = .tagOpen }
            case .tagOpen:
                if byte == UInt8(ascii: "!") {
                    state = Self.matches(source, index + 1, "--") ? .comment : .declaration
                    if state == .comment { index += 2 }
                } else if byte == UInt8(ascii: "/") {
                    state = .closingTag
                } else if Self.isLetter(byte) {
                    state = .tagName(String(UnicodeScalar(Self.lower(byte))))
                } else {
                    state = .text
                }
            case .tagName(let name):
                if Self.isSpace(byte) { state = .inTag(name) }
                else if byte == UInt8(ascii: ">") { state = Self.afterTag(name) }
                else if byte == UInt8(ascii: "/") { state = .inTag(name) }
                else { state = .tagName(name + String(UnicodeScalar(Self.lower(byte)))) }
            case .closingTag, .declaration:
                if byte == UInt8(ascii: ">") { state = .text }
            case .inTag(let tag):
                if byte == UInt8(ascii: ">") { state = Self.afterTag(tag) }
                else if !Self.isSpace(byte) && byte != UInt8(ascii: "/") {
                    state = .attributeName(tag: tag, name: String(UnicodeScalar(Self.lower(byte))))
                }
            case .attributeName(let tag, let name):
                if byte == UInt8(ascii: "=") { state = .beforeValue(tag: tag, name: name) }
                else if Self.isSpace(byte) { state = .afterAttributeName(tag: tag, name: name) }
                else if byte == UInt8(ascii: ">") { state = Self.afterTag(tag) }
                else if byte == UInt8(ascii: "/") { state = .inTag(tag) }
                else { state = .attributeName(tag: tag, name: name + String(UnicodeScalar(Self.lower(byte)))) }
            case .afterAttributeName(let tag, let name):
                if byte == UInt8(ascii: "=") { state = .beforeValue(tag: tag, name: name) }
                else if byte == UInt8(ascii: ">") { state = Self.afterTag(tag) }
                else if !Self.isSpace(byte) {
                    state = .attributeName(tag: tag, name: String(UnicodeScalar(Self.lower(byte))))
                }
            case .beforeValue(let tag, let name):
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                    state = .quotedValue(tag: tag, name: name, quote: byte)
                } else if byte == UInt8(ascii: ">") {
                    state = Self.afterTag(tag)
                } else if !Self.isSpace(byte) {
                    state = .unquotedValue(tag: tag, name: name)
                }
            case .quotedValue(let tag, _, let quote):
                if byte == quote { state = .inTag(tag) }
            case .unquotedValue(let tag, _):
                if Self.isSpace(byte) { state = .inTag(tag) }
                else if byte == UInt8(ascii: ">") { state = Self.afterTag(tag) }
            case .comment:
                if byte == UInt8(ascii: "-") && Self.matches(source, index + 1, "->") {
                    index += 2
                    state = .text
                }
            case .rawText(let tag):
                if byte == UInt8(ascii: "<") && Self.matchesLowercased(source, index + 1, "/" + tag) {
                    state = .closingTag
                    index += tag.utf8.count + 1
                }
            }
            index += 1
        }
    }

    /// Where a variable at the current position writes, or why none may go here.
    func escapeContext() -> Result<EscapeContext, PlacementError> {
        switch state {
        case .text: return .success(.text)
        case .quotedValue(_, let name, _):
            if name.hasPrefix("on") { return .failure(PlacementError("a value cannot go into the event handler attribute \(name)")) }
            if name == "style" { return .failure(PlacementError("a value cannot go into a style attribute")) }
            return .success(Self.urlAttributes.contains(name) ? .url : .attribute)
        case .unquotedValue(_, let name), .beforeValue(_, let name):
            return .failure(PlacementError("the value of attribute \(name) must be quoted to hold a variable"))
        case .rawText(let tag): return .failure(PlacementError("a value cannot go inside <\(tag)>"))
        case .comment: return .failure(PlacementError("a value cannot go inside an HTML comment"))
        default: return .failure(PlacementError("a value can only go in element text or a quoted attribute value"))
        }
    }

    struct PlacementError: Error {
        var message: String
        init(_ message: String) { self.message = message }
    }

    private static func afterTag(_ name: String) -> State {
        name == "script" || name == "style" ? .rawText(name) : .text
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0C || byte == 0x0D
    }

    private static func lower(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 32 : byte
    }

    private static func matches(_ source: [UInt8], _ at: Int, _ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard at + bytes.count <= source.count else { return false }
        return Array(source[at..<(at + bytes.count)]) == bytes
    }

    private static func matchesLowercased(_ source: [UInt8], _ at: Int, _ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard at + bytes.count <= source.count else { return false }
        return source[at..<(at + bytes.count)].map(lower) == bytes
    }
}
