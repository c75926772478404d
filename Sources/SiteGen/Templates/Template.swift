/// A parsed template: parse once, render many times (thread-safe, a value).
///
/// Syntax (Mustache-like, no logic): `{{name}}` and `{{a.b}}` write a value escaped for
/// where it sits (text, attribute or URL; see `EscapeContext`); `{{.}}` is the current item;
/// `{{#name}}…{{/name}}` renders for a true flag, a non-empty string or list (once per item)
/// or an object; `{{^name}}…{{/name}}` renders when the value is missing, false or empty;
/// `{{> partial}}` includes another template; `{{! comment }}` is dropped.
public struct Template: Sendable {
    public let name: String
    let nodes: [TemplateNode]

    /// Parses `source`; `name` is used in errors (usually the file name).
    public init(name: String, source: String) throws(TemplateError) {
        self.name = name
        var parser = TemplateParser(name: name, source: Array(source.utf8))
        self.nodes = try parser.parse()
    }

    /// Partials this template includes, with where (for checking them when a library loads).
    var partialReferences: [(name: String, location: SourceLocation)] {
        var found: [(String, SourceLocation)] = []
        func walk(_ nodes: [TemplateNode]) {
            for node in nodes {
                switch node {
                case .partial(let name, let location): found.append((name, location))
                case .section(_, _, let children, _): walk(children)
                default: break
                }
            }
        }
        walk(nodes)
        return found
    }
}

struct SourceLocation: Sendable, Equatable {
    var line: Int
    var column: Int
}

indirect enum TemplateNode: Sendable {
    case literal([UInt8])
    case variable(path: [String], context: EscapeContext, location: SourceLocation)
    case section(path: [String], inverted: Bool, children: [TemplateNode], location: SourceLocation)
    case partial(name: String, location: SourceLocation)
}
