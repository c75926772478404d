/// Where a settings layer comes from: the kind of object and its id. The id is also the
/// object id the layer's envelopes are bound to.
public struct SettingsSource: Sendable, Hashable, CustomStringConvertible {
    /// The kinds of objects that carry settings, lowest merge precedence first.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// `backoffice.json`: deployment-wide defaults.
        case global
        case driver
        case zone
        case system
        case module
    }

    public var kind: Kind
    /// The object id (`driver-…`, `zone-…`, …; ``globalObjectID`` for global settings).
    public var id: String

    public init(kind: Kind, id: String) {
        self.kind = kind
        self.id = id
    }

    /// The object id global settings are bound to when encrypted.
    public static let globalObjectID = "backoffice"

    /// The source of the global settings in `backoffice.json`.
    public static let global = SettingsSource(kind: .global, id: globalObjectID)

    public var description: String { "\(kind.rawValue) \(id)" }
}

/// One object's settings in a merge.
public struct SettingsLayer: Sendable, Hashable {
    public var source: SettingsSource
    public var settings: Settings

    public init(source: SettingsSource, settings: Settings) {
        self.source = source
        self.settings = settings
    }
}

/// Which layer and level supplied a merged key.
public struct SettingsOrigin: Sendable, Hashable, CustomStringConvertible {
    public var source: SettingsSource
    public var level: SettingsLevel

    public init(source: SettingsSource, level: SettingsLevel) {
        self.source = source
        self.level = level
    }

    public var description: String { "\(source), \(level.rawValue)" }
}

/// One key of a merged view: its value and where it came from.
public struct MergedSetting: Sendable, Hashable {
    /// The decrypted value.
    public var value: JSONValue
    /// The layer and level that supplied `value`.
    public var origin: SettingsOrigin
    /// In a role-filtered view: the layer and level that actually win for the driver,
    /// when that is a level the reader may not see (so the UI can say "overridden at a
    /// level you cannot read"). Nil when `origin` is what the driver gets.
    public var hiddenOverride: SettingsOrigin?

    public init(value: JSONValue, origin: SettingsOrigin, hiddenOverride: SettingsOrigin? = nil) {
        self.value = value
        self.origin = origin
        self.hiddenOverride = hiddenOverride
    }
}
