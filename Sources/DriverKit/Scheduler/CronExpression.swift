import Foundation

/// A five-field cron expression (`minute hour day-of-month month day-of-week`) evaluated in a
/// time zone. Supports `*`, ranges, steps, lists, month and weekday names, `7` for Sunday,
/// and `@yearly`, `@monthly`, `@weekly`, `@daily`, `@hourly`.
///
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
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        let expanded = Self.macros[trimmed] ?? trimmed
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

    /// Local wall-clock time as a number of minutes (comparable across days).
    private func wallMinutes(_ c: DateComponents) -> Int {
        let days = (c.year! * 12 + c.month!) * 31 + c.day!
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
        let start = calendar.dateComponents(units, from: date)
        var highestWall = wallMinutes(start)
        var previous = start
        let limit = date.addingTimeInterval(8 * 366 * 86400)
        while t < limit {
            let c = calendar.dateComponents(units, from: t)
            let wall = wallMinutes(c)
            // The clock jumped forward past minutes that never happened: fire for a skipped match.
            if !hours.isWildcard, wall > wallMinutes(previous) + 1, skippedMatch(from: previous, to: t, calendar: calendar) {
                return t
            }
            previous = c
            if !months.contains(c.month!) {
                t = calendar.date(from: DateComponents(year: c.year! + (c.month! == 12 ? 1 : 0), month: c.month! % 12 + 1, day: 1))!
                previous = calendar.dateComponents(units, from: t.addingTimeInterval(-60))
                continue
            }
            if !dayMatches(day: c.day!, weekday: c.weekday! - 1) {
                let startOfDay = calendar.startOfDay(for: t)
                t = calendar.date(byAdding: .day, value: 1, to: startOfDay)!
                previous = calendar.dateComponents(units, from: t.addingTimeInterval(-60))
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

    /// Whether a wall time strictly between `from` (components) and `to` matches (DST gap).
    private func skippedMatch(from: DateComponents, to: Date, calendar: Calendar) -> Bool {
        guard var probe = calendar.date(from: DateComponents(year: from.year, month: from.month, day: from.day,
                                                             hour: from.hour, minute: from.minute)) else { return false }
        let toWall = wallMinutes(calendar.dateComponents([.year, .month, .day, .hour, .minute], from: to))
        var wall = DateComponents(year: from.year, month: from.month, day: from.day, hour: from.hour, minute: from.minute)
        for _ in 0..<180 {
            var minute = wall.minute! + 1, hour = wall.hour!
            if minute == 60 { minute = 0; hour += 1 }
            if hour == 24 { return false }
            wall.minute = minute
            wall.hour = hour
            var full = wall
            full.weekday = calendar.component(.weekday, from: probe)
            full.year = from.year
            if wallMinutes(full) >= toWall { return false }
            if matchesWall(full) { return true }
            probe = probe.addingTimeInterval(60)
        }
        return false
    }
}
