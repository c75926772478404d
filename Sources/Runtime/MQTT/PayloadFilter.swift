import ConfigRepo
import Crypto
import Foundation

/// A broker's `filters` at work: every match in a value's JSON is replaced by the lowercase
/// hex HMAC-SHA256(secret, match), as PlaceOS does, so the same address always hashes the same
/// (consumers can correlate) but cannot be read back.
struct PayloadFilter: Sendable {
    private let expression: NSRegularExpression
    private let secret: [UInt8]

    /// Nil when there are no filters. Throws when one does not compile (validation refuses that).
    init?(patterns: [String], secret: [UInt8]) throws {
        guard let expression = try BrokerFilters.union(patterns) else { return nil }
        self.expression = expression
        self.secret = secret
    }

    /// `json` with every match hashed; nil when a match spanned JSON syntax and the result no
    /// longer parses (a filter too wide to use on this value).
    func apply(_ json: String) -> String? {
        let text = json as NSString
        let matches = expression.matches(in: json, range: NSRange(location: 0, length: text.length))
        guard !matches.isEmpty else { return json }
        var result = ""
        var position = 0
        for match in matches where match.range.length > 0 {
            result += text.substring(with: NSRange(location: position, length: match.range.location - position))
            result += hash(text.substring(with: match.range))
            position = match.range.location + match.range.length
        }
        result += text.substring(from: position)
        return (try? JSONParser.parse(Array(result.utf8))) == nil ? nil : result
    }

    func hash(_ match: String) -> String {
        Hex.encode(HMAC.code(.sha256, key: secret, message: Array(match.utf8)))
    }
}
