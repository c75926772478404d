/// The `settings` of a zone, system, driver, module or of `backoffice.json`: up to four
/// levels (``SettingsLevel``), each an object of top-level keys (DESIGN §3.3).
///
/// ```json
/// {"none": {"poll": 30}, "admin": {"password": "enc:v1:…"}, "never_display": {}}
/// ```
///
/// Values under encrypted levels are held as they are in the file (normally `enc:v1:`
/// envelopes). A level that is present but empty is kept, so load + save is byte-identical.
public struct Settings: Sendable, Hashable {
    /// The levels present in the file and their members.
    public var levels: [SettingsLevel: [String: JSONValue]]

    public init(levels: [SettingsLevel: [String: JSONValue]] = [:]) {
        self.levels = levels
    }

    /// No levels at all.
    public static let empty = Settings()

    /// The members of `level` (empty when the level is absent). Setting it makes the level
    /// present, even when empty.
    public subscript(level: SettingsLevel) -> [String: JSONValue] {
        get { levels[level] ?? [:] }
        set { levels[level] = newValue }
    }

    /// True when no level holds any key.
    public var isEmpty: Bool { levels.values.allSatisfy(\.isEmpty) }

    /// The JSON object for the file: each present level under its key.
    public var json: JSONValue {
        var members: [String: JSONValue] = [:]
        for (level, values) in levels { members[level.rawValue] = .object(values) }
        return .object(members)
    }

    /// Reads a `settings` value. Never fails: whatever is usable is kept and every
    /// problem is reported with its path below `path` (for example `settings.admin.password`).
    ///
    /// Problems: not an object; an unknown level key; a level that is not an object; under
    /// an encrypted level, a value that is not an `enc:v1:` string (the value is kept, so a
    /// writer can still seal it); a malformed envelope. Levels that are not objects and
    /// unknown keys are dropped.
    public static func parse(_ value: JSONValue, path: String = "settings") -> (settings: Settings, problems: [SettingsProblem]) {
        guard case .object(let members) = value else {
            return (.empty, [SettingsProblem(path: path, message: """
                settings must be an object of levels (\(allowedLevelKeysText)), not \(article(value.typeName))
                """)])
        }
        var settings = Settings()
        var problems: [SettingsProblem] = []
        for key in JSONWriter.sortedKeys(members) {
            let levelPath = SettingsProblem.path(path, member: key)
            guard let level = SettingsLevel(rawValue: key) else {
                problems.append(SettingsProblem(path: levelPath, message: """
                    unknown settings level "\(key)": the levels are \(allowedLevelKeysText)
                    """))
                continue
            }
            guard case .object(let values) = members[key]! else {
                problems.append(SettingsProblem(path: levelPath, message: """
                    the "\(key)" level must be an object of settings, not \(article(members[key]!.typeName))
                    """))
                continue
            }
            settings.levels[level] = values
            guard level.isEncrypted else { continue }
            for name in JSONWriter.sortedKeys(values) {
                let valuePath = SettingsProblem.path(levelPath, member: name)
                if let problem = problemUnderEncryptedLevel(values[name]!) {
                    problems.append(SettingsProblem(path: valuePath, message: problem))
                }
            }
        }
        return (settings, problems)
    }

    /// The message for a value under an encrypted level that is not a well-formed
    /// envelope, or nil when it is one.
    static func problemUnderEncryptedLevel(_ value: JSONValue) -> String? {
        guard case .string(let text) = value, text.hasPrefix("enc:") else {
            return "plain text under an encrypted level: encrypt it with `backoffice secret seal` or save it through the site"
        }
        return SecretBox.envelopeProblem(text)
    }

    /// The level keys, quoted, for messages.
    static let allowedLevelKeysText = SettingsLevel.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")

    private static func article(_ typeName: String) -> String {
        switch typeName {
        case "null": "null"
        case "array", "object": "an \(typeName)"
        default: "a \(typeName)"
        }
    }
}
