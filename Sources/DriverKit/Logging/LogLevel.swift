/// Severity of a log line; `debug` and `trace` are sent only while the module is debugged.
public enum LogLevel: String, Sendable, Comparable {
    case trace, debug, info, warning, error

    var rank: Int {
        switch self { case .trace: 0; case .debug: 1; case .info: 2; case .warning: 3; case .error: 4 }
    }

    public static func < (a: LogLevel, b: LogLevel) -> Bool { a.rank < b.rank }
}
