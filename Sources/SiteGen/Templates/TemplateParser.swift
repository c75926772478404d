/// Turns template source into nodes, deciding each variable's escaping from the HTML around it.
struct TemplateParser {
    let name: String
    let source: [UInt8]
    private var scanner = HTMLContextScanner()

    init(name: String, source: [UInt8]) {
        self.name = name
        self.source = source
    }

    private struct OpenSection {
        var path: [String]
        var rawName: String
        var inverted: Bool
        var location: SourceLocation
        var state: HTMLContextScanner.State
        var nodes: [TemplateNode]
    }

    mutating func parse() throws(TemplateError) -> [TemplateNode] {
        var stack: [OpenSection] = [OpenSection(path: [], rawName: "", inverted: false, location: SourceLocation(line: 1, column: 1),
                                                state: .text, nodes: [])]
        var index = 0
        var literalStart = 0
        func flushLiteral(_ end: Int, into stack: inout [OpenSection]) {
            if end > literalStart { stack[stack.count - 1].nodes.append(.literal(Array(source[literalStart..<end]))) }
        }
        while index < source.count {
            guard source[index] == UInt8(ascii: "{"), index + 1 < source.count, source[index + 1] == UInt8(ascii: "{") else {
                index += 1
                continue
            }
            let tagStart = index
            let location = self.location(of: tagStart)
            scanner.scan(source, from: literalStart, to: tagStart)
            flushLiteral(tagStart, into: &stack)
            if tagStart + 2 < source.count, source[tagStart + 2] == UInt8(ascii: "{") {
                throw error(at: location, "triple braces are not supported: values are always escaped (pass TrustedHTML for markup)")
            }
            guard let close = find("}}", from: tagStart + 2) else { throw error(at: location, "unclosed tag: no '}}' after '{{'") }
            var body = String(decoding: source[(tagStart + 2)..<close], as: UTF8.self)
            index = close + 2
            literalStart = index
            let sigil = body.first
            if let sigil, "#^/>!".contains(sigil) { body.removeFirst() }
            let tagName = body.trimmingCharacters()
            switch sigil {
            case "!":
                continue
            case "#", "^":
                let path = try parsePath(tagName, location)
                stack.append(OpenSection(path: path, rawName: tagName, inverted: sigil == "^", location: location,
                                         state: scanner.sectionContext, nodes: []))
            case "/":
                guard stack.count > 1 else { throw error(at: location, "'{{/\(tagName)}}' closes no open section") }
                let open = stack.removeLast()
                guard open.rawName == tagName else {
                    throw error(at: location, "'{{/\(tagName)}}' does not match the open section '\(open.rawName)' (line \(open.location.line), column \(open.location.column))")
                }
                guard open.state == scanner.sectionContext else {
                    throw error(at: location, "section '\(tagName)' ends in a different HTML context than it started (an unclosed tag or quote inside it)")
                }
                stack[stack.count - 1].nodes.append(.section(path: open.path, inverted: open.inverted, children: open.nodes,
                                                             location: open.location))
            case ">":
                guard scanner.state == .text else { throw error(at: location, "a partial can only be included in element text") }
                guard !tagName.isEmpty else { throw error(at: location, "a partial needs a name") }
                stack[stack.count - 1].nodes.append(.partial(name: tagName, location: location))
            default:
                let path = try parsePath(tagName, location)
                switch scanner.escapeContext() {
                case .success(let context):
                    stack[stack.count - 1].nodes.append(.variable(path: path, context: context, location: location))
                case .failure(let problem):
                    throw error(at: location, "'{{\(tagName)}}': \(problem.message)")
                }
            }
        }
        scanner.scan(source, from: literalStart, to: source.count)
        flushLiteral(source.count, into: &stack)
        if stack.count > 1, let open = stack.last {
            throw error(at: open.location, "section '\(open.rawName)' is never closed")
        }
        return stack[0].nodes
    }

    /// What a name's parts may hold (built once: a set per `{{path}}` was a quarter of parsing).
    private static let nameCharacters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")

    private func parsePath(_ text: String, _ location: SourceLocation) throws(TemplateError) -> [String] {
        if text == "." { return [] }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !text.isEmpty, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(Self.nameCharacters.contains) }) else {
            throw error(at: location, "'\(text)' is not a valid name (letters, digits, _ and -, parts joined by '.')")
        }
        return parts
    }

    private func find(_ marker: String, from start: Int) -> Int? {
        let bytes = Array(marker.utf8)
        var index = start
        while index + bytes.count <= source.count {
            if source[index] == bytes[0] && source[index + 1] == bytes[1] { return index }
            if source[index] == UInt8(ascii: "\n") { }
            index += 1
        }
        return nil
    }

    private func location(of offset: Int) -> SourceLocation {
        var line = 1
        var lineStart = 0
        for index in 0..<offset where source[index] == UInt8(ascii: "\n") {
            line += 1
            lineStart = index + 1
        }
        let column = String(decoding: source[lineStart..<offset], as: UTF8.self).count + 1
        return SourceLocation(line: line, column: column)
    }

    private func error(at location: SourceLocation, _ message: String) -> TemplateError {
        TemplateError(file: name, line: location.line, column: location.column, message: message)
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs and newlines.
    func trimmingCharacters() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}
