/// An encrypted settings value that could not be opened, and where it is.
public struct SettingsOpenError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The object whose settings hold the value (`backoffice` for the global settings).
    public var objectID: String
    /// The level the value is under.
    public var level: SettingsLevel
    /// The top-level settings key.
    public var key: String
    /// Why it did not open.
    public var reason: SecretBoxError

    public init(objectID: String, level: SettingsLevel, key: String, reason: SecretBoxError) {
        self.objectID = objectID
        self.level = level
        self.key = key
        self.reason = reason
    }

    /// The value's path inside the object's file, e.g. `settings.admin.password`.
    public var path: String {
        SettingsProblem.path(SettingsProblem.path("settings", member: level.rawValue), member: key)
    }

    public var description: String { "\(objectID) \(path): \(reason)" }
}
