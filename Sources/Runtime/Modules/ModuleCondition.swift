import Foundation

/// What a module's state is in words a person can act on: one of six conditions, the reason
/// when it is not online, and since when it has been so (as far as this server has seen).
///
/// `degraded` is a running module whose device answers the connection but whose polls fail:
/// DriverKit sets the `degraded` status after consecutive failed runs of a repeating task
/// (docs/driverkit.md, "Degraded modules").
public struct ModuleCondition: Sendable, Equatable {
    public enum State: String, Sendable, CaseIterable {
        case online, degraded, offline, starting, stopped, failed
    }

    public var state: State
    /// Why it is not online (the start failure, the driver's `offline_reason` or
    /// `degraded_reason`); nil when online, stopped, or when the driver gives none.
    public var reason: String?
    /// When this server first saw the module in this state; nil when unknown.
    public var since: Date?

    public init(state: State, reason: String? = nil, since: Date? = nil) {
        self.state = state
        self.reason = reason
        self.since = since
    }

    /// `failed: no executable for driver x (since 2026-12-04 15:42 UTC)`; `online` alone.
    public var text: String {
        var words = state.rawValue
        if let reason { words += ": " + reason }
        if state != .online, let since { words += " (since \(Self.timestamp(since)))" }
        return words
    }

    /// `2026-12-04 15:42:07 UTC`.
    public static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate, .withTime, .withColonSeparatorInTime, .withSpaceBetweenDateAndTime]
        return formatter.string(from: date) + " UTC"
    }

    /// The JSON REST answers carry: `{"state", "reason", "since"}` (ISO 8601, absent when unknown).
    public var json: [String: String] {
        var members = ["state": state.rawValue]
        if let reason { members["reason"] = reason }
        if let since { members["since"] = ISO8601DateFormatter().string(from: since) }
        return members
    }
}
