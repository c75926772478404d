import ConfigRepo

/// The settings inputs of a form: one JSON object per level the reader may edit
/// (`settings.none`, `settings.support`, `settings.admin`), decrypted for the reader, and the
/// submitted text turned back into stored settings. Shared by object forms and the
/// deployment form; `objectID` is the id the encrypted levels are bound to.
struct SettingsForm: Sendable {
    let role: Role
    let box: SecretBox?

    /// Settings levels this reader may edit (never_display is write-only and kept as is).
    var editableLevels: [SettingsLevel] {
        SettingsLevel.readable(by: role).filter { $0 != .neverDisplay }
    }

    /// The stored settings with the levels the reader may read decrypted (when the box can).
    func opened(_ stored: JSONValue?, objectID: String) -> Settings {
        let (settings, _) = Settings.parse(stored ?? .object([:]))
        guard let box, let opened = try? settings.opened(objectID: objectID, box: box, upTo: role) else { return settings }
        return opened
    }

    /// The text of each level's input.
    func inputs(_ stored: JSONValue?, objectID: String) -> [String: String] {
        let settings = opened(stored, objectID: objectID)
        var inputs: [String: String] = [:]
        for level in editableLevels {
            let members = settings[level]
            inputs["settings." + level.key] = members.isEmpty ? "" : JSONWriter.canonicalString(.object(members))
        }
        return inputs
    }

    /// Settings from the per-level inputs; levels the reader cannot edit are kept as they are,
    /// and an encrypted value submitted unchanged keeps its envelope (no needless re-encryption).
    func decode(_ submitted: [String: String], stored storedValue: JSONValue?, objectID: String,
                errors: inout [String: String]) -> ObjectForm.FieldOutcome {
        let levelsShown = editableLevels.filter { submitted["settings." + $0.key] != nil }
        guard !levelsShown.isEmpty else { return .keep }
        let (stored, _) = Settings.parse(storedValue ?? .object([:]))
        let opened = opened(storedValue, objectID: objectID)
        var result = stored
        var failed = false
        for level in levelsShown {
            let name = "settings." + level.key
            let text = submitted[name]!.trimmingCharacters()
            if text.isEmpty {
                result.levels[level] = nil
                continue
            }
            do {
                guard case .object(let members) = try JSONParser.parse(text) else {
                    errors[name] = "must be a JSON object of settings { \"key\": value }"
                    failed = true
                    continue
                }
                var merged: [String: JSONValue] = [:]
                for (key, value) in members {
                    if level.isEncrypted, opened[level][key] == value, let envelope = stored[level][key] {
                        merged[key] = envelope
                    } else {
                        merged[key] = value
                    }
                }
                result.levels[level] = merged
            } catch {
                errors[name] = "invalid JSON at line \(error.line), column \(error.column): \(error.message)"
                failed = true
            }
        }
        if failed { return .keep }
        if result.isEmpty { return storedValue == nil ? .keep : .remove }
        return .set(result.json)
    }

    /// The input a validation problem under `settings` belongs to (`settings.admin.x` →
    /// `settings.admin`), nil for a level the reader does not edit.
    func inputName(for problemField: String) -> String? {
        let rest = problemField.dropFirst("settings.".count)
        let level = String(rest.prefix { $0 != "." && $0 != "[" })
        return editableLevels.contains { $0.key == level } ? "settings." + level : nil
    }

    /// The form inputs, one JSON text area per editable level; `audience` says who reads the
    /// plain level ("everyone who can see this system").
    func fieldValues(inputs: [String: String], errors: [String: String], audience: String) -> [TemplateValue] {
        editableLevels.map { level in
            let name = "settings." + level.key
            return FormPage.input(name: name, label: "Settings · \(level.key)", kind: "isJSON", value: inputs[name] ?? "",
                                  error: errors[name], hint: level.isEncrypted
                                      ? "Encrypted when saved; shown decrypted because your role may read this level."
                                      : "Plain JSON object of settings, readable by \(audience).")
        }
    }
}
