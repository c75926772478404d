import ConfigRepo

extension RuntimeEngine {
    /// The text of every string and number, of any length, among a module's settings at levels
    /// `role` may not read, decrypted: what a debug console must not show that reader (a driver
    /// may log a password it sends), for a ``SecretRedactor``. Only winning values count;
    /// others never reach the driver.
    public func hiddenSettingStrings(ofModule id: String, from role: Role) -> [String] {
        guard let snapshot, snapshot.document(.module, id) != nil,
              let merged = try? SettingsMerge.effectiveWithOrigins(snapshot.settingsLayers(forModule: id), box: box)
        else { return [] }
        var strings: Set<String> = []
        for setting in merged.values where !setting.origin.level.isReadable(by: role) {
            strings.formUnion(SecretRedactor.textValues(of: setting.value))
        }
        return strings.sorted { $0.count > $1.count }
    }
}
