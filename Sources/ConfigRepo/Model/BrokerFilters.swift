import Foundation

/// A broker's `filters`: regular expressions in ICU syntax (NSRegularExpression, close to
/// PCRE) whose matches in a published value are replaced by HMAC-SHA256(secret, match). The
/// validator and the runtime's publisher compile them the same way, here.
public enum BrokerFilters {
    /// Why `pattern` cannot be a filter, or nil when it can.
    public static func problem(_ pattern: String) -> String? {
        if pattern.isEmpty { return "must not be empty: an empty pattern matches between every two characters" }
        do {
            _ = try NSRegularExpression(pattern: pattern)
            return nil
        } catch {
            // NSRegularExpression says only "the value is invalid"; Swift's parser says why.
            var reason = "is not a valid regular expression"
            do { _ = try Regex(pattern) } catch { reason += ": \(error)" }
            return reason
        }
    }

    /// One expression matching what any of `patterns` matches (PlaceOS: `Regex.union`), or nil
    /// for no patterns. Throws for a pattern that does not compile (the validator refuses those).
    public static func union(_ patterns: [String]) throws -> NSRegularExpression? {
        guard !patterns.isEmpty else { return nil }
        return try NSRegularExpression(pattern: patterns.map { "(?:\($0))" }.joined(separator: "|"))
    }
}
