/// Encrypting and decrypting the values of one object's settings.
///
/// Every value under an encrypted level is sealed separately, bound to
/// (object id, level, top-level key); keys stay visible so diffs stay readable.
extension Settings {
    /// What a reader sees in place of a value they may not read when that value is not an
    /// envelope (only possible in a file that fails validation). Envelopes themselves are
    /// shown as they are: the ciphertext reveals nothing.
    public static let hiddenValue: JSONValue = .string("(hidden)")

    /// True when a value returned by ``opened(objectID:box:upTo:)`` was withheld from the
    /// reader: an envelope, or ``hiddenValue``.
    public static func isHidden(_ value: JSONValue) -> Bool {
        value == hiddenValue || SecretBox.isEnvelope(value)
    }

    /// These settings with every value under an encrypted level that is not yet an
    /// envelope sealed for (`objectID`, level, key). Existing envelopes are kept as they
    /// are (so unchanged values do not change in the file).
    public func sealed(objectID: String, box: SecretBox) -> Settings {
        var result = self
        for (level, values) in levels where level.isEncrypted {
            var sealedValues = values
            for (key, value) in values where !SecretBox.isEnvelope(value) {
                sealedValues[key] = .string(box.seal(value, binding: .setting(objectID: objectID, level: level, key: key)))
            }
            result.levels[level] = sealedValues
        }
        return result
    }

    /// The settings JSON to write to the file: ``sealed(objectID:box:)`` as a JSON object.
    public func sealingPlaintext(objectID: String, box: SecretBox) -> JSONValue {
        sealed(objectID: objectID, box: box).json
    }

    /// The settings as `role` may see them: levels `role` may read are decrypted; values in
    /// other levels (always including `never_display`) stay as their envelopes, or become
    /// ``hiddenValue`` when they were not encrypted. Throws when a readable envelope does
    /// not open (the validation gate keeps such files out of applied commits).
    public func opened(objectID: String, box: SecretBox, upTo role: Role) throws(SettingsOpenError) -> Settings {
        try opened(objectID: objectID, box: box) { $0.isReadable(by: role) }
    }

    /// Every level decrypted, `never_display` included: what the driver is given.
    public func openedForDriver(objectID: String, box: SecretBox) throws(SettingsOpenError) -> Settings {
        try opened(objectID: objectID, box: box) { _ in true }
    }

    /// Problems with envelopes that do not open for this object with this deployment
    /// secret (moved from another object, level or key; sealed with another secret;
    /// altered). Well-formedness is ``parse(_:path:)``'s job; this needs the key.
    public func verify(objectID: String, box: SecretBox, path: String = "settings") -> [SettingsProblem] {
        var problems: [SettingsProblem] = []
        for level in SettingsLevel.allCases where level.isEncrypted {
            let values = self[level]
            for key in JSONWriter.sortedKeys(values) {
                guard case .string(let text) = values[key]!, SecretBox.envelopeProblem(text) == nil else { continue }
                do {
                    _ = try box.open(text, binding: .setting(objectID: objectID, level: level, key: key))
                } catch {
                    let levelPath = SettingsProblem.path(path, member: level.rawValue)
                    problems.append(SettingsProblem(path: SettingsProblem.path(levelPath, member: key),
                                                    message: error.description))
                }
            }
        }
        return problems
    }

    /// Opens the envelopes of the levels `readable` accepts; hides the rest.
    func opened(objectID: String, box: SecretBox,
                readable: (SettingsLevel) -> Bool) throws(SettingsOpenError) -> Settings {
        var result = self
        for (level, values) in levels where level.isEncrypted {
            var shown = values
            for (key, value) in values {
                if readable(level) {
                    shown[key] = try Self.open(value, objectID: objectID, level: level, key: key, box: box)
                } else if !SecretBox.isEnvelope(value) {
                    shown[key] = Self.hiddenValue
                }
            }
            result.levels[level] = shown
        }
        return result
    }

    /// One value decrypted if it is an envelope; a plain value (invalid file) as it is.
    static func open(_ value: JSONValue, objectID: String, level: SettingsLevel, key: String,
                     box: SecretBox) throws(SettingsOpenError) -> JSONValue {
        guard level.isEncrypted, case .string(let text) = value, SecretBox.isEnvelope(text) else { return value }
        do {
            return try box.open(text, binding: .setting(objectID: objectID, level: level, key: key))
        } catch {
            throw SettingsOpenError(objectID: objectID, level: level, key: key, reason: error)
        }
    }
}
