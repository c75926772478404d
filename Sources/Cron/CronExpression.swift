import Foundation

/// A five-field cron expression (`minute hour day-of-month month day-of-week`) evaluated in a
/// time zone. Supports `*`, ranges, steps, lists, month and weekday names, `7` for Sunday,
/// and `@yearly`, `@monthly`, `@weekly`, `@daily`, `@hourly`.
///
/// Ranges do not wrap around (`22-2` is an error; write `22-23,0-2`).
/// Day rules follow Vixie cron: when both day fields are restricted a day matches if either does.
/// Daylight saving (for expressions with a fixed hour): a time skipped by the clock jumping
/// forward fires once, at the first minute after the jump; a time repeated by the clock going
/// back fires once, the first time. Expressions with `*` hours fire on every real matching minute.
public struct CronExpression: Sendable, Equatable {
    let minutes: CronField
    let hours: CronField
    let daysOfMonth: CronField
    let months: CronField
    let daysOfWeek: CronField
    public let timeZone: TimeZone

    static let monthNames = ["jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
                             "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12]
    static let dayNames = ["sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6]
    static let macros = ["@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
                         "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *"]

    public init(_ text: String, timeZone: TimeZone = .current) throws(CronError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let expanded = Self.macros[trimmed.lowercased()] ?? trimmed
        let fields = expanded.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard fields.count == 5 else {
            throw CronError("expected 5 fields (minute hour day month weekday), got \(fields.count) in \"\(text)\"")
        }
        minutes = try CronField.parse(fields[0], field: "minute", range: 0...59)
        hours = try CronField.parse(fields[1], field: "hour", range: 0...23)
        daysOfMonth = try CronField.parse(fields[2], field: "day of month", range: 1...31)
        months = try CronField.parse(fields[3], field: "month", range: 1...12, names: Self.monthNames)
        let weekdays = try CronField.parse(fields[4], field: "day of week", range: 0...7, names: Self.dayNames)
        var normalised = weekdays.values
        if normalised.remove(7) != nil { normalised.insert(0) }
        daysOfWeek = CronField(values: normalised, isWildcard: weekdays.isWildcard)
        self.timeZone = timeZone
    }

    private var calendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar
    }

    func dayMatches(day: Int, weekday: Int) -> Bool {
        if daysOfMonth.isWildcard || daysOfWeek.isWildcard {
            return daysOfMonth.contains(day) && daysOfWeek.contains(weekday)
        }
        return daysOfMonth.contains(day) || daysOfWeek.contains(weekday)
    }

    /// Local wall-clock time as minutes since 1970-01-01 00:00 of the same wall clock.
    private func wallMinutes(_ c: DateComponents) -> Int {
        // Days from the civil date (Howard Hinnant's algorithm).
        let y = c.month! <= 2 ? c.year! - 1 : c.year!
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let m = c.month!
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + c.day! - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146097 + doe - 719468
        return days * 1440 + c.hour! * 60 + c.minute!
    }

    private func matchesWall(_ c: DateComponents) -> Bool {
        months.contains(c.month!) && dayMatches(day: c.day!, weekday: c.weekday! - 1)
            && hours.contains(c.hour!) && minutes.contains(c.minute!)
    }

    /// The first time strictly after `date` that the expression fires, or nil if none within
    /// about eight years (e.g. `0 0 31 2 *`).
    public func next(after date: Date) -> Date? {
        let calendar = self.calendar
        let units: Set<Calendar.Component> = [.year, .month, .day, .hour, .minute, .weekday]
        var t = Date(timeIntervalSince1970: (date.timeIntervalSince1970 / 60).rounded(.down) * 60 + 60)
        var previous = calendar.dateComponents(units, from: date)
        var previousDate = date
        var highestWall = wallMinutes(previous)
        let limit = date.addingTimeInterval(8 * 366 * 86400)
        func jump(to next: Date) {
            t = next
            previousDate = next.addingTimeInterval(-60)
            previous = calendar.dateComponents(units, from: previousDate)
        }
        while t < limit {
            let c = calendar.dateComponents(units, from: t)
            let wall = wallMinutes(c)
            // The clock jumped forward past minutes that never happened: fire for a skipped match.
            let realMinutes = Int((t.timeIntervalSince(previousDate) / 60).rounded(.down))
            if !hours.isWildcard, wall - wallMinutes(previous) > realMinutes, skippedMatch(after: previous, before: wall) {
                return t
            }
            previous = c
            previousDate = t
            if !months.contains(c.month!) {
                jump(to: calendar.date(from: DateComponents(year: c.year! + (c.month! == 12 ? 1 : 0), month: c.month! % 12 + 1, day: 1))!)
                continue
            }
            if !dayMatches(day: c.day!, weekday: c.weekday! - 1) {
                jump(to: calendar.date(byAdding: .day, value: 1, to: calendar.startOfDay(for: t))!)
                continue
            }
            if !hours.contains(c.hour!) {
                t = t.addingTimeInterval(Double(60 - c.minute!) * 60)
                continue
            }
            if !minutes.contains(c.minute!) {
                let nextMinute = minutes.values.filter { $0 > c.minute! }.min()
                t = t.addingTimeInterval(Double((nextMinute ?? 60) - c.minute!) * 60)
                continue
            }
            // The clock went back and repeats wall times already passed: fire only once.
            if !hours.isWildcard, wall <= highestWall {
                t = t.addingTimeInterval(60)
                continue
            }
            highestWall = max(highestWall, wall)
            return t
        }
        return nil
    }

    /// Whether a wall time after `from` and before `endWall` on the same day matches (a DST gap).
    private func skippedMatch(after from: DateComponents, before endWall: Int) -> Bool {
        var probe = from
        let start = wallMinutes(from)
        for step in 1..<max(1, min(endWall - start, 240)) {
            let minuteOfDay = from.hour! * 60 + from.minute! + step
            if minuteOfDay >= 1440 { return false }
            probe.hour = minuteOfDay / 60
            probe.minute = minuteOfDay % 60
            if matchesWall(probe) { return true }
        }
        return false
    }
}
