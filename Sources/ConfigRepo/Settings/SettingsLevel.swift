/// One of the four levels a `settings` object is split into (DESIGN §3.3), ordered as in
/// PlaceOS's `encryption_level`: `none` (0) < `support` (1) < `admin` (2) < `neverDisplay` (3).
///
/// The raw value is the key used in configuration files. Within one settings object, a key
/// at a higher level overrides the same key at a lower level.
public enum SettingsLevel: String, Sendable, Hashable, CaseIterable, Comparable, CustomStringConvertible {
    /// Plain text in the file; readable by everyone who can read the object.
    case none
    /// Encrypted in the file; readable by support staff and admins.
    case support
    /// Encrypted in the file; readable by admins.
    case admin
    /// Encrypted in the file; never shown to anyone, only given to the driver.
    case neverDisplay = "never_display"

    /// PlaceOS's numeric `encryption_level`: 0 none … 3 never display.
    public var rank: Int {
        switch self {
        case .none: 0
        case .support: 1
        case .admin: 2
        case .neverDisplay: 3
        }
    }

    public static func < (lhs: SettingsLevel, rhs: SettingsLevel) -> Bool { lhs.rank < rhs.rank }

    /// True for every level but `none`: its values are stored as `enc:v1:` envelopes.
    public var isEncrypted: Bool { self != .none }

    /// Whether someone with `role` may see this level's values decrypted.
    ///
    /// admin → none, support, admin; support → none, support; user → none.
    /// `neverDisplay` is readable by no role.
    public func isReadable(by role: Role) -> Bool {
        switch self {
        case .none: true
        case .support: role >= .support
        case .admin: role >= .admin
        case .neverDisplay: false
        }
    }

    /// The levels `role` may read, lowest first.
    public static func readable(by role: Role) -> [SettingsLevel] {
        allCases.filter { $0.isReadable(by: role) }
    }

    /// The level named by a configuration-file key (`"never_display"` …), or nil.
    public init?(key: String) { self.init(rawValue: key) }

    /// The configuration-file key of this level.
    public var key: String { rawValue }

    public var description: String { rawValue }
}
