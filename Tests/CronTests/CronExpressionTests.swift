import Foundation
import Testing
import Cron

@Suite struct CronExpressionTests {
    static let utc = TimeZone(identifier: "UTC")!
    static let newYork = TimeZone(identifier: "America/New_York")!
    static let london = TimeZone(identifier: "Europe/London")!

    /// An instant written with its UTC offset, e.g. "2025-03-09T03:00:00-04:00".
    func at(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    func next(_ expression: String, after: String, in zone: TimeZone = utc) throws -> Date? {
        try CronExpression(expression, timeZone: zone).next(after: at(after))
    }

    @Test(arguments: [
        ("* * * * *", "2025-01-01T10:07:30Z", "2025-01-01T10:08:00Z"),
        ("*/15 * * * *", "2025-01-01T10:07:00Z", "2025-01-01T10:15:00Z"),
        ("*/15 * * * *", "2025-01-01T10:45:00Z", "2025-01-01T11:00:00Z"),
        ("0 9 * * mon-fri", "2025-01-03T10:00:00Z", "2025-01-06T09:00:00Z"),
        ("0 9 * * MON-FRI", "2025-01-04T08:00:00Z", "2025-01-06T09:00:00Z"),
        ("30 8,12,18 * * *", "2025-01-01T12:30:00Z", "2025-01-01T18:30:00Z"),
        ("30 8,12,18 * * *", "2025-01-01T18:30:00Z", "2025-01-02T08:30:00Z"),
        ("0 0 1 jan *", "2025-06-01T00:00:00Z", "2026-01-01T00:00:00Z"),
        ("0 0 29 feb *", "2025-03-01T00:00:00Z", "2028-02-29T00:00:00Z"),
        ("5-10/2 * * * *", "2025-01-01T10:06:00Z", "2025-01-01T10:07:00Z"),
        ("5-10/2 * * * *", "2025-01-01T10:09:00Z", "2025-01-01T11:05:00Z"),
        ("10/20 * * * *", "2025-01-01T10:31:00Z", "2025-01-01T10:50:00Z"),
        ("0 */6 * * *", "2025-01-01T13:00:00Z", "2025-01-01T18:00:00Z"),
        ("0 22-23,0-2 * * *", "2025-01-01T13:00:00Z", "2025-01-01T22:00:00Z"),
        ("0 22-23,0-2 * * *", "2025-01-01T23:00:00Z", "2025-01-02T00:00:00Z"),
        ("@hourly", "2025-01-01T10:00:00Z", "2025-01-01T11:00:00Z"),
        ("@daily", "2025-01-01T10:00:00Z", "2025-01-02T00:00:00Z"),
        ("@weekly", "2025-01-01T10:00:00Z", "2025-01-05T00:00:00Z"),
        ("@monthly", "2025-01-31T10:00:00Z", "2025-02-01T00:00:00Z"),
        ("@yearly", "2025-01-31T10:00:00Z", "2026-01-01T00:00:00Z"),
        ("0 0 * * 7", "2025-01-01T10:00:00Z", "2025-01-05T00:00:00Z"),
        ("0 0 * * 0", "2025-01-01T10:00:00Z", "2025-01-05T00:00:00Z"),
        ("0 12 13 * fri", "2025-06-01T00:00:00Z", "2025-06-06T12:00:00Z"),
        ("0 12 13 * fri", "2025-06-10T00:00:00Z", "2025-06-13T12:00:00Z"),
        ("0 12 13 * *", "2025-06-14T00:00:00Z", "2025-07-13T12:00:00Z"),
        ("0 0 31 * *", "2025-04-01T00:00:00Z", "2025-05-31T00:00:00Z"),
        ("15 14 1 * *", "2025-12-01T14:15:00Z", "2026-01-01T14:15:00Z"),
        ("0 0 * dec sun", "2025-01-01T00:00:00Z", "2025-12-07T00:00:00Z"),
        ("0,30 9-17 * * 1-5", "2025-01-03T17:30:00Z", "2025-01-06T09:00:00Z"),
    ])
    func nextRunInUTC(expression: String, after: String, expected: String) throws {
        #expect(try next(expression, after: after) == at(expected))
    }

    @Test func impossibleDateHasNoNextRun() throws {
        #expect(try next("0 0 31 2 *", after: "2025-01-01T00:00:00Z") == nil)
        #expect(try next("0 0 30 feb *", after: "2025-01-01T00:00:00Z") == nil)
    }

    @Test(arguments: [
        ("", "expected 5 fields"),
        ("* * * *", "expected 5 fields"),
        ("* * * * * *", "expected 5 fields"),
        ("60 * * * *", "minute: 60 is outside 0-59"),
        ("* 24 * * *", "hour: 24 is outside 0-23"),
        ("* * 0 * *", "day of month: 0 is outside 1-31"),
        ("* * * 13 *", "month: 13 is outside 1-12"),
        ("* * * * 8", "day of week: 8 is outside 0-7"),
        ("5-1 * * * *", "runs backwards"),
        ("0 22-2 * * *", "hour: range \"22-2\" runs backwards"),
        ("*/0 * * * *", "step \"0\" must be a positive number"),
        ("1,,2 * * * *", "empty list item"),
        ("* * * * funday", "\"funday\" is not a number or name"),
        ("L * * * *", "\"L\" is not a number or name"),
        ("1-2-3 * * * *", "is not a number or name"),
    ])
    func badExpressionsSayWhatIsWrong(expression: String, message: String) {
        #expect {
            _ = try CronExpression(expression, timeZone: Self.utc)
        } throws: { error in
            (error as? CronError)?.description.contains(message) == true
        }
    }

    @Test func timeZoneShiftsTheRun() throws {
        let tokyo = TimeZone(identifier: "Asia/Tokyo")!
        #expect(try next("0 9 * * *", after: "2025-01-01T00:00:00Z", in: tokyo) == at("2025-01-02T00:00:00Z"))
        #expect(try next("0 9 * * *", after: "2024-12-31T23:00:00Z", in: tokyo) == at("2025-01-01T00:00:00Z"))
        #expect(try next("0 9 * * *", after: "2025-01-01T12:00:00Z", in: Self.newYork) == at("2025-01-01T14:00:00Z"))
    }

    @Test func springForwardRunsASkippedFixedTimeRightAfterTheGap() throws {
        // New York, 2025-03-09: 02:00 EST becomes 03:00 EDT.
        #expect(try next("30 2 * * *", after: "2025-03-08T03:00:00-05:00", in: Self.newYork) == at("2025-03-09T03:00:00-04:00"))
        #expect(try next("30 2 * * *", after: "2025-03-09T03:00:00-04:00", in: Self.newYork) == at("2025-03-10T02:30:00-04:00"))
        // London, 2025-03-30: 01:00 GMT becomes 02:00 BST.
        #expect(try next("0 1 * * *", after: "2025-03-29T12:00:00Z", in: Self.london) == at("2025-03-30T02:00:00+01:00"))
        // A wildcard hour fires only on minutes that exist.
        #expect(try next("*/30 * * * *", after: "2025-03-09T01:45:00-05:00", in: Self.newYork) == at("2025-03-09T03:00:00-04:00"))
        // Unaffected times on the change day are untouched.
        #expect(try next("0 4 * * *", after: "2025-03-09T00:00:00-05:00", in: Self.newYork) == at("2025-03-09T04:00:00-04:00"))
    }

    @Test func fallBackRunsARepeatedFixedTimeOnce() throws {
        // New York, 2025-11-02: 02:00 EDT becomes 01:00 EST, so 01:30 happens twice.
        let first = try next("30 1 * * *", after: "2025-11-02T00:00:00-04:00", in: Self.newYork)
        #expect(first == at("2025-11-02T01:30:00-04:00"))
        #expect(try CronExpression("30 1 * * *", timeZone: Self.newYork).next(after: first!) == at("2025-11-03T01:30:00-05:00"))
        // A wildcard hour fires in both copies of the hour.
        #expect(try next("*/30 * * * *", after: "2025-11-02T01:30:00-04:00", in: Self.newYork) == at("2025-11-02T01:00:00-05:00"))
        #expect(try next("0 3 * * *", after: "2025-11-02T00:00:00-04:00", in: Self.newYork) == at("2025-11-02T03:00:00-05:00"))
    }

    @Test func everyRunOfAYearIsFoundInOrder() throws {
        let cron = try CronExpression("0 12 * * sat", timeZone: Self.london)
        var date = at("2025-01-01T00:00:00Z")
        var runs = 0
        while let next = cron.next(after: date), next < at("2026-01-01T00:00:00Z") {
            #expect(next > date)
            date = next
            runs += 1
        }
        #expect(runs == 52)
    }
}
