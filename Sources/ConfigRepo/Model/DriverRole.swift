/// What kind of device a driver talks to (PlaceOS `Driver.role`).
public enum DriverRole: Int, Sendable, CaseIterable {
    case ssh = 0
    case device = 1
    case service = 2
    case websocket = 3
    case logic = 99

    /// The PlaceOS name ("Device", "Logic", …).
    public var name: String { Kind.driverRoles[rawValue] ?? "Unknown" }

    /// Roles that connect by `ip` and `port`.
    public var connectsByAddress: Bool { self == .ssh || self == .device }

    /// Roles that connect by `uri`.
    public var connectsByURI: Bool { self == .service || self == .websocket }
}
