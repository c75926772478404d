import Cron
import Foundation

/// A time-dependent condition. `at` and `cron` are pulses, as in PlaceOS: true at that
/// moment (for `debounce_period`), so they fire a trigger whose other conditions hold then.
/// `for` is ours: true once the comparisons have all held for that many seconds.
public enum TimeCondition: Sendable, Equatable {
    case at(Date)
    case cron(CronExpression)
    case held(seconds: Double)

    var isPulse: Bool {
        if case .held = self { return false }
        return true
    }

    /// The next moment this pulse comes strictly after `date` (nil for `for`, or when none comes).
    func nextPulse(after date: Date) -> Date? {
        switch self {
        case .at(let time): time > date ? time : nil
        case .cron(let expression): expression.next(after: date)
        case .held: nil
        }
    }
}
