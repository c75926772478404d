import Cron
import Foundation

/// The cron expression parser and its next-time search, in UTC and in a zone with daylight
/// saving (first byte). Properties: an accepted expression parses the same twice; its next firing
/// after a start is later, on a whole minute, and the one after it later still.
public enum CronExpressionCheck: FuzzCheck {
    public static let name = "cron"
    static let zones = [TimeZone(identifier: "UTC")!, TimeZone(identifier: "Europe/London")!]
    /// Just before the clocks went forward in London (2026-03-29 01:00 UTC).
    static let start = Date(timeIntervalSince1970: 1_774_744_200)

    public static func check(_ input: [UInt8]) throws(PropertyViolation) {
        guard let first = input.first, input.count <= 256 else { return }
        let zone = zones[Int(first) % zones.count]
        let text = String(decoding: input.dropFirst(), as: UTF8.self)
        guard let expression = try? CronExpression(text, timeZone: zone) else { return }
        try require((try? CronExpression(text, timeZone: zone)) == expression, "parsing \(text.debugDescription) twice gave two expressions")
        guard let next = expression.next(after: start) else { return }
        try require(next > start, "next(after:) went back: \(next) for \(text.debugDescription)")
        try require(next.timeIntervalSince1970.truncatingRemainder(dividingBy: 60) == 0, "a firing off the minute: \(next)")
        if let after = expression.next(after: next) {
            try require(after > next, "the firing after \(next) is \(after) for \(text.debugDescription)")
        }
    }
}
