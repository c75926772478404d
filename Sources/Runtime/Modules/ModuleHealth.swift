/// How a module counts on the Metrics page and in `/metrics`: PlaceOS's online rule reduced to
/// three answers.
public enum ModuleHealth: String, Sendable, CaseIterable {
    /// Running and not reporting `connected: false`.
    case online
    /// Meant to run but not online: starting, failed, or its device unreachable.
    case offline
    /// Not meant to run (`running: false`).
    case stopped
}

/// One module's health with the driver it runs.
public struct ModuleHealthEntry: Sendable, Equatable {
    public var module: String
    public var driver: String
    public var health: ModuleHealth
}
