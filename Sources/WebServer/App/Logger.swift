#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Log levels, least to most severe.
public enum LogLevel: Int, Sendable, Comparable, CaseIterable {
    case debug, info, warning, error, off

    /// Parses `debug`, `info`, `warning`, `error` or `off`.
    public init?(name: String) {
        guard let level = LogLevel.allCases.first(where: { "\($0)" == name.lowercased() }) else { return nil }
        self = level
    }

    /// Orders levels by severity.
    public static func < (a: LogLevel, b: LogLevel) -> Bool { a.rawValue < b.rawValue }
}

/// Writes one line per event to standard error, at or above a level.
public struct Logger: Sendable {
    /// The least severe level written.
    public var level: LogLevel

    /// A logger writing `level` and above.
    public init(level: LogLevel = .info) { self.level = level }

    private static let lock = Mutex(())

    /// Writes `message` if `level` is enabled.
    public func log(_ level: LogLevel, _ message: @autoclosure () -> String) {
        guard level >= self.level, level != .off else { return }
        var line = "\(HTTPDate.iso8601Now()) \(level) \(message())\n"
        Self.lock.withLock { _ in
            line.withUTF8 { buffer in _ = write(2, buffer.baseAddress, buffer.count) }
        }
    }
}

extension HTTPDate {
    /// The current UTC time as `2026-11-21T16:32:24Z`.
    static func iso8601Now() -> String {
        var seconds = time(nil)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
    }
}
