import ConfigRepo

extension RuntimeEngine {
    /// The text values (4 characters or more) of a module's settings at levels `role` may not
    /// read, decrypted: what a debug console must not show that reader (a driver may log a
    /// password it sends). Only winning values count; others never reach the driver.
    public func hiddenSettingStrings(ofModule id: String, from role: Role) -> [String] {
        guard let snapshot, snapshot.document(.module, id) != nil,
              let merged = try? SettingsMerge.effectiveWithOrigins(snapshot.settingsLayers(forModule: id), box: box)
        else { return [] }
        var strings: Set<String> = []
        func collect(_ value: JSONValue) {
            switch value {
            case .string(let text) where text.count >= 4: strings.insert(text)
            case .array(let items): items.forEach(collect)
            case .object(let members): members.values.forEach(collect)
            default: break
            }
        }
        for setting in merged.values where !setting.origin.level.isReadable(by: role) { collect(setting.value) }
        // Longest first, so a value containing another is replaced whole.
        return strings.sorted { $0.count > $1.count }
    }
}
