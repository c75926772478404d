import ConfigRepo

/// The strict JSON parser of the configuration store and its canonical writer. Properties: a
/// refused text names a line and column inside it; an accepted one, written canonically, parses
/// back to the same value, and writing that again gives the same bytes (idempotent).
public enum JSONRoundTripCheck: FuzzCheck {
    public static let name = "json"

    public static func check(_ input: [UInt8]) throws(PropertyViolation) {
        let value: JSONValue
        do {
            value = try JSONParser.parse(input)
        } catch {
            let lines = input.count { $0 == UInt8(ascii: "\n") } + 1
            try require(error.line >= 1 && error.line <= lines && error.column >= 1, "error outside the text: \(error)")
            try require(!error.message.isEmpty, "an error with no message")
            return
        }
        let written = JSONWriter.canonicalBytes(value)
        let reparsed: JSONValue
        do {
            reparsed = try JSONParser.parse(written)
        } catch {
            throw PropertyViolation("canonical output does not parse: \(error) in \(String(decoding: written, as: UTF8.self).debugDescription)")
        }
        try require(reparsed == value, "parse(write(value)) is another value: \(value) against \(reparsed)")
        try require(JSONWriter.canonicalBytes(reparsed) == written, "writing is not idempotent")
    }
}
