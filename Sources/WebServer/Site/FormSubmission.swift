import SiteGen

/// A submitted urlencoded form: the last value of each name (forms here never repeat names).
public struct FormSubmission: Sendable {
    public let values: [String: String]

    public init(_ request: Request) {
        var values: [String: String] = [:]
        for (name, value) in FormEncoding.decode(request.body) { values[name] = value }
        self.values = values
    }

    public subscript(name: String) -> String? { values[name] }

    /// The inputs as typed, without the form's own bookkeeping (`_csrf`, `_version`, …).
    public var inputs: [String: String] { values.filter { !$0.key.hasPrefix("_") } }
}
