/// What a signed-in person (or API key) may do, from least to most privileged, as in PlaceOS
/// (`user` = 0, `support` = 1, `admin` = 2, the `sys_admin` flag).
///
/// Ordered: `user < support < admin`. Settings visibility follows from it
/// (see ``SettingsLevel/isReadable(by:)``).
public enum Role: String, Sendable, Hashable, CaseIterable, Comparable, CustomStringConvertible {
    /// An ordinary user: reads systems, operates what they are allowed to.
    case user
    /// Support staff: edit systems, zones, modules; read `support`-level settings.
    case support
    /// A system administrator: everything, including `admin`-level settings.
    case admin

    /// PlaceOS's numeric permission level: 0 user, 1 support, 2 admin.
    public var rank: Int {
        switch self {
        case .user: 0
        case .support: 1
        case .admin: 2
        }
    }

    public static func < (lhs: Role, rhs: Role) -> Bool { lhs.rank < rhs.rank }

    public var description: String { rawValue }
}
