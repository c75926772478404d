/// Renders parsed templates against values, resolving partials in a library.
struct TemplateRenderer {
    let partials: [String: Template]
    static let maximumDepth = 32

    func render(_ template: Template, _ value: TemplateValue, into output: inout [UInt8]) throws(TemplateError) {
        var stack = [value]
        try render(template.nodes, file: template.name, stack: &stack, output: &output, depth: 0)
    }

    private func render(_ nodes: [TemplateNode], file: String, stack: inout [TemplateValue], output: inout [UInt8],
                        depth: Int) throws(TemplateError) {
        for node in nodes {
            switch node {
            case .literal(let bytes):
                output.append(contentsOf: bytes)
            case .variable(let path, let context, _):
                guard let value = lookup(path, in: stack) else { continue }
                switch value {
                case .string(let text): Escaping.append(text, context: context, to: &output)
                case .html(let html):
                    if context == .text { output.append(contentsOf: html.text.utf8) }
                    else { Escaping.append(html.text, context: context, to: &output) }
                case .bool(let flag): if flag { output.append(contentsOf: "true".utf8) }
                case .list, .object, .null: break
                }
            case .section(let path, let inverted, let children, _):
                let value = lookup(path, in: stack) ?? .null
                if inverted {
                    if !value.isTruthy { try render(children, file: file, stack: &stack, output: &output, depth: depth) }
                    continue
                }
                guard value.isTruthy else { continue }
                if case .list(let items) = value {
                    for item in items {
                        stack.append(item)
                        try render(children, file: file, stack: &stack, output: &output, depth: depth)
                        stack.removeLast()
                    }
                } else {
                    stack.append(value)
                    try render(children, file: file, stack: &stack, output: &output, depth: depth)
                    stack.removeLast()
                }
            case .partial(let name, let location):
                guard let partial = partials[name] else {
                    throw TemplateError(file: file, line: location.line, column: location.column, message: "no partial named '\(name)'")
                }
                guard depth < Self.maximumDepth else {
                    throw TemplateError(file: file, line: location.line, column: location.column,
                                        message: "partials nest deeper than \(Self.maximumDepth) (a partial includes itself?)")
                }
                try render(partial.nodes, file: partial.name, stack: &stack, output: &output, depth: depth + 1)
            }
        }
    }

    /// The first context from the top that has the path's first name, then its members.
    private func lookup(_ path: [String], in stack: [TemplateValue]) -> TemplateValue? {
        guard let first = path.first else { return stack.last }
        for context in stack.reversed() {
            guard var value = context[first] else { continue }
            for member in path.dropFirst() {
                guard let next = value[member] else { return nil }
                value = next
            }
            return value
        }
        return nil
    }
}
