/// The settings layers of a module, read from the snapshot (DESIGN §3.3).
extension Snapshot {
    /// Layers for `moduleID`, lowest precedence first: global, driver, then for logic
    /// modules the zones of its system in the system's order and the system, then the
    /// module. Feed them to `SettingsMerge.effective` (the driver's view) or
    /// `SettingsMerge.view` (a reader's view).
    public func settingsLayers(forModule moduleID: String) -> [SettingsLayer] {
        guard let module = document(.module, moduleID) else { return [] }
        let driver = self.driver(ofModule: module)
        let isLogic = driver?.role == .logic
        let system = ModuleView(module).controlSystemID.flatMap { document(.system, $0) }
        let zones = system.map { SystemView($0).zoneIDs.compactMap { document(.zone, $0) } } ?? []
        return SettingsMerge.layers(
            global: deployment?.settings.map { Settings.parse($0).settings },
            driver: driver.map { owned($0.document) },
            zones: zones.map(owned),
            system: system.map(owned),
            module: owned(module),
            isLogic: isLogic)
    }

    private func owned(_ document: ConfigDocument) -> SettingsMerge.Owned {
        (id: document.id, settings: document["settings"].map { Settings.parse($0).settings } ?? .empty)
    }
}
