import Testing
@testable import ConfigRepo

@Suite struct SettingsMergeTests {
    let box = SecretBox(secret: makeTestSecret())

    /// Settings with `key` at `level` set to `value`, sealed for `id`.
    func settings(_ id: String, _ level: SettingsLevel = .none, _ values: [String: JSONValue]) -> Settings {
        Settings(levels: [level: values]).sealed(objectID: id, box: box)
    }

    /// The six possible layer owners, lowest precedence first for a logic module.
    static let owners = ["global", "driver", "zone-first", "zone-last", "system", "module"]

    @Test func precedenceIsExhaustivelyModuleSystemLastZoneFirstZoneDriverGlobal() throws {
        for isLogic in [true, false] {
            for mask in 1..<(1 << Self.owners.count) {
                let present = Self.owners.indices.filter { mask & (1 << $0) != 0 }
                func owned(_ index: Int, _ id: String) -> SettingsMerge.Owned? {
                    present.contains(index) ? (id, settings(id, .admin, ["k": .string(id)])) : nil
                }
                let layers = SettingsMerge.layers(
                    global: present.contains(0)
                        ? settings(SettingsSource.globalObjectID, .admin, ["k": "global"]) : nil,
                    driver: owned(1, "driver-1"),
                    zones: [owned(2, "zone-first"), owned(3, "zone-last")].compactMap { $0 },
                    system: owned(4, "sys-1"),
                    module: owned(5, "mod-1"),
                    isLogic: isLogic)
                let applicable = present.filter { isLogic || ![2, 3, 4].contains($0) }
                let merged = try SettingsMerge.effectiveWithOrigins(layers, box: box)
                guard let winner = applicable.max() else {
                    #expect(merged.isEmpty)
                    continue
                }
                let expectedID = ["backoffice", "driver-1", "zone-first", "zone-last", "sys-1", "mod-1"][winner]
                let expectedValue: JSONValue = winner == 0 ? "global" : .string(expectedID)
                #expect(merged["k"]?.value == expectedValue, "mask \(mask) logic \(isLogic)")
                #expect(merged["k"]?.origin.source.id == expectedID)
                #expect(merged["k"]?.origin.level == .admin)
            }
        }
    }

    @Test func layerOrderFollowsTheRule() {
        let empty = Settings.empty
        let layers = SettingsMerge.layers(global: empty, driver: ("driver-1", empty),
                                          zones: [("zone-a", empty), ("zone-b", empty)], system: ("sys-1", empty),
                                          module: ("mod-1", empty), isLogic: true)
        #expect(layers.map(\.source) == [
            .global, SettingsSource(kind: .driver, id: "driver-1"),
            SettingsSource(kind: .zone, id: "zone-a"), SettingsSource(kind: .zone, id: "zone-b"),
            SettingsSource(kind: .system, id: "sys-1"), SettingsSource(kind: .module, id: "mod-1"),
        ])
        let device = SettingsMerge.layers(global: nil, driver: ("driver-1", empty), zones: [("zone-a", empty)],
                                          system: ("sys-1", empty), module: ("mod-1", empty), isLogic: false)
        #expect(device.map(\.source.kind) == [.driver, .module])
    }

    @Test func withinALayerTheHigherLevelWins() throws {
        for (index, low) in SettingsLevel.allCases.enumerated() {
            for high in SettingsLevel.allCases[(index + 1)...] {
                var module = Settings()
                module[low] = ["k": .string(low.rawValue)]
                module[high] = ["k": .string(high.rawValue)]
                let layers = [SettingsLayer(source: SettingsSource(kind: .module, id: "mod-1"),
                                            settings: module.sealed(objectID: "mod-1", box: box))]
                let merged = try SettingsMerge.effectiveWithOrigins(layers, box: box)
                #expect(merged["k"]?.value == .string(high.rawValue))
                #expect(merged["k"]?.origin.level == high)
            }
        }
    }

    @Test func aLaterLayerWinsWhateverTheLevels() throws {
        let layers = [
            SettingsLayer(source: SettingsSource(kind: .driver, id: "driver-1"),
                          settings: settings("driver-1", .neverDisplay, ["k": "driver secret"])),
            SettingsLayer(source: SettingsSource(kind: .module, id: "mod-1"),
                          settings: settings("mod-1", .none, ["k": "module plain"])),
        ]
        #expect(try SettingsMerge.effective(layers, box: box) == ["k": "module plain"])
    }

    @Test func mergeIsShallow() throws {
        let layers = SettingsMerge.layers(
            global: nil,
            driver: ("driver-1", settings("driver-1", .none, ["conn": ["host": "a", "port": 1], "only_driver": true])),
            zones: [], system: nil,
            module: ("mod-1", settings("mod-1", .none, ["conn": ["host": "b"]])),
            isLogic: false)
        let merged = try SettingsMerge.effective(layers, box: box)
        #expect(merged == ["conn": ["host": "b"], "only_driver": true])
    }

    @Test func driverGetsDecryptedValuesOfEveryLevel() throws {
        var module = Settings()
        module[.none] = ["a": 1]
        module[.support] = ["b": "support"]
        module[.admin] = ["c": ["nested": "admin"]]
        module[.neverDisplay] = ["d": "never"]
        let sealed = module.sealed(objectID: "mod-1", box: box)
        let layers = [SettingsLayer(source: SettingsSource(kind: .module, id: "mod-1"), settings: sealed)]
        #expect(try SettingsMerge.effective(layers, box: box)
            == ["a": 1, "b": "support", "c": ["nested": "admin"], "d": "never"])
    }

    @Test func aCiphertextBoundToAnotherLayerFailsTheMerge() {
        // Sealed for the driver, pasted into the module's file.
        let layers = [SettingsLayer(source: SettingsSource(kind: .module, id: "mod-1"),
                                    settings: settings("driver-1", .admin, ["password": "x"]))]
        let error = #expect(throws: SettingsOpenError.self) { try SettingsMerge.effective(layers, box: box) }
        #expect(error?.objectID == "mod-1")
        #expect(error?.path == "settings.admin.password")
    }

    var roleLayers: [SettingsLayer] {
        var driver = Settings()
        driver[.none] = ["a": "driver none", "b": "driver none", "c": "driver none"]
        driver[.support] = ["s": "driver support"]
        driver[.neverDisplay] = ["n": "driver never"]
        var module = Settings()
        module[.support] = ["a": "module support"]
        module[.admin] = ["b": "module admin", "x": "module admin"]
        module[.neverDisplay] = ["c": "module never"]
        return [
            SettingsLayer(source: SettingsSource(kind: .driver, id: "driver-1"),
                          settings: driver.sealed(objectID: "driver-1", box: box)),
            SettingsLayer(source: SettingsSource(kind: .module, id: "mod-1"),
                          settings: module.sealed(objectID: "mod-1", box: box)),
        ]
    }

    @Test func roleViews() throws {
        let driverNone = SettingsOrigin(source: SettingsSource(kind: .driver, id: "driver-1"), level: .none)
        let moduleSupport = SettingsOrigin(source: SettingsSource(kind: .module, id: "mod-1"), level: .support)
        let moduleAdmin = SettingsOrigin(source: SettingsSource(kind: .module, id: "mod-1"), level: .admin)
        let moduleNever = SettingsOrigin(source: SettingsSource(kind: .module, id: "mod-1"), level: .neverDisplay)

        let user = try SettingsMerge.view(roleLayers, box: box, role: .user)
        #expect(user.mapValues(\.value) == ["a": "driver none", "b": "driver none", "c": "driver none"])
        #expect(user["a"]?.hiddenOverride == moduleSupport)
        #expect(user["b"]?.hiddenOverride == moduleAdmin)
        #expect(user["c"]?.hiddenOverride == moduleNever)

        let support = try SettingsMerge.view(roleLayers, box: box, role: .support)
        #expect(support.mapValues(\.value)
            == ["a": "module support", "b": "driver none", "c": "driver none", "s": "driver support"])
        #expect(support["a"]?.origin == moduleSupport && support["a"]?.hiddenOverride == nil)
        #expect(support["b"]?.origin == driverNone && support["b"]?.hiddenOverride == moduleAdmin)

        let admin = try SettingsMerge.view(roleLayers, box: box, role: .admin)
        #expect(admin.mapValues(\.value) == ["a": "module support", "b": "module admin", "c": "driver none",
                                             "s": "driver support", "x": "module admin"])
        #expect(admin["b"]?.hiddenOverride == nil)
        #expect(admin["c"]?.hiddenOverride == moduleNever)
        #expect(admin["n"] == nil)

        // The driver sees all of it.
        #expect(try SettingsMerge.effective(roleLayers, box: box) == [
            "a": "module support", "b": "module admin", "c": "module never", "n": "driver never",
            "s": "driver support", "x": "module admin",
        ])
    }
}
