import DriverKit

/// Where a status's value sits in a message's JSON: `$` (the whole payload), then `.name`,
/// `["name"]` (any characters) or `[index]` steps, as in `$.readings[0].co2`. The leading `$`
/// may be left out (`co2` is `$.co2`).
public struct JSONPath: Sendable, Equatable, CustomStringConvertible {
    public enum Step: Sendable, Equatable {
        case member(String)
        case index(Int)
    }

    public let steps: [Step]
    public let description: String

    public init(_ text: String) throws(DriverError) {
        description = text
        var steps: [Step] = []
        var rest = Substring(text.hasPrefix("$") ? String(text.dropFirst()) : (text.isEmpty || text.hasPrefix("[") ? text : "." + text))
        func fail(_ problem: String) -> DriverError {
            .failed("path \"\(text)\": \(problem) at character \(text.count - rest.count + 1)")
        }
        while let first = rest.first {
            if first == "." {
                rest = rest.dropFirst()
                let name = rest.prefix { $0 != "." && $0 != "[" }
                guard !name.isEmpty else { throw fail("a name must follow \".\"") }
                steps.append(.member(String(name)))
                rest = rest.dropFirst(name.count)
            } else if first == "[" {
                rest = rest.dropFirst()
                if let quote = rest.first, quote == "\"" || quote == "'" {
                    rest = rest.dropFirst()
                    guard let end = rest.firstIndex(of: quote) else { throw fail("the quoted name is not closed") }
                    steps.append(.member(String(rest[..<end])))
                    rest = rest[rest.index(after: end)...]
                } else {
                    let digits = rest.prefix { $0.isNumber }
                    guard let index = Int(digits) else { throw fail("expected an index or a quoted name after \"[\"") }
                    steps.append(.index(index))
                    rest = rest.dropFirst(digits.count)
                }
                guard rest.first == "]" else { throw fail("expected \"]\"") }
                rest = rest.dropFirst()
            } else {
                throw fail("expected \".\" or \"[\"")
            }
        }
        self.steps = steps
    }

    /// The value at this path in `json`, or nil when a step does not exist.
    public func value(in json: JSON) -> JSON? {
        var current = json
        for step in steps {
            switch step {
            case .member(let name):
                guard let next = current[name] else { return nil }
                current = next
            case .index(let index):
                guard let elements = current.arrayValue, elements.indices.contains(index) else { return nil }
                current = elements[index]
            }
        }
        return current
    }

    /// True for `$`: the whole payload.
    public var isRoot: Bool { steps.isEmpty }
}
