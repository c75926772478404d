import WebServer

extension URLEncodedForm {
    /// The inputs as typed, without the site form's own bookkeeping (`_csrf`, `_version`, `_id`…).
    var inputs: [String: String] { values.filter { !$0.key.hasPrefix("_") } }
}
