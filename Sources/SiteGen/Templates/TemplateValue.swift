/// The data a template renders: strings, flags, lists, objects and trusted HTML.
///
/// There is deliberately no way to pass a plain string that comes out unescaped: only a
/// `TrustedHTML` value (made by our own renderers, e.g. the sanitised SVG or the Markdown-lite
/// output) is written as is, and only in text position.
public enum TemplateValue: Sendable {
    case string(String)
    case bool(Bool)
    case list([TemplateValue])
    case object([String: TemplateValue])
    case html(TrustedHTML)
    case null

    /// Whether a section over this value renders (Mustache truthiness).
    var isTruthy: Bool {
        switch self {
        case .string(let text): !text.isEmpty
        case .bool(let flag): flag
        case .list(let items): !items.isEmpty
        case .object: true
        case .html(let html): !html.text.isEmpty
        case .null: false
        }
    }

    /// The member of an object value.
    subscript(member: String) -> TemplateValue? {
        if case .object(let members) = self { return members[member] }
        return nil
    }

    public static func int(_ value: Int) -> TemplateValue { .string(String(value)) }
    public static func optional(_ value: String?) -> TemplateValue { value.map(TemplateValue.string) ?? .null }
}

extension TemplateValue: ExpressibleByStringLiteral, ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: TemplateValue...) { self = .list(elements) }
    public init(dictionaryLiteral elements: (String, TemplateValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}

/// HTML produced by our own code that is safe to insert as is.
public struct TrustedHTML: Sendable, Hashable {
    public let text: String
    /// Only for markup built by BackOffice itself from escaped parts; never wrap user input.
    public init(trusted text: String) { self.text = text }
}
