/// A Swift value that has a JSON form: status values, function results, exec arguments.
public protocol JSONConvertible {
    var json: JSON { get }
}

/// A Swift value that can be read from JSON: typed settings and function arguments.
public protocol JSONReadable {
    init?(json: JSON)
}

extension JSON: JSONConvertible, JSONReadable {
    public var json: JSON { self }
    public init?(json: JSON) { self = json }
}
extension Bool: JSONConvertible, JSONReadable {
    public var json: JSON { .bool(self) }
    public init?(json: JSON) { guard let v = json.boolValue else { return nil }; self = v }
}
extension Int: JSONConvertible, JSONReadable {
    public var json: JSON { .number(Double(self)) }
    public init?(json: JSON) { guard let v = json.intValue else { return nil }; self = v }
}
extension Double: JSONConvertible, JSONReadable {
    public var json: JSON { .number(self) }
    public init?(json: JSON) { guard let v = json.doubleValue else { return nil }; self = v }
}
extension String: JSONConvertible, JSONReadable {
    public var json: JSON { .string(self) }
    public init?(json: JSON) { guard let v = json.stringValue else { return nil }; self = v }
}
extension Array: JSONConvertible where Element: JSONConvertible {
    public var json: JSON { .array(map(\.json)) }
}
extension Array: JSONReadable where Element: JSONReadable {
    public init?(json: JSON) {
        guard let items = json.arrayValue else { return nil }
        var out: [Element] = []
        for item in items { guard let v = Element(json: item) else { return nil }; out.append(v) }
        self = out
    }
}
extension Dictionary: JSONConvertible where Key == String, Value: JSONConvertible {
    public var json: JSON { .object(mapValues(\.json)) }
}
extension Dictionary: JSONReadable where Key == String, Value: JSONReadable {
    public init?(json: JSON) {
        guard let members = json.objectValue else { return nil }
        var out: [String: Value] = [:]
        for (k, v) in members { guard let value = Value(json: v) else { return nil }; out[k] = value }
        self = out
    }
}
extension Optional: JSONConvertible where Wrapped: JSONConvertible {
    public var json: JSON { self?.json ?? .null }
}
