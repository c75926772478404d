import Foundation
import Testing
@testable import ConfigRepo
@testable import SiteGen

private func affected(_ edits: [String: [String: JSONValue]?]) -> Set<PageKey> {
    let old = SampleConfig.snapshot(commit: "old")
    let new = SampleConfig.snapshot(commit: "new", edits)
    return PageDependencies.affectedPages(changedPaths: Array(edits.keys), old: old, new: new,
                                          oldIndex: SiteIndex(snapshot: old), newIndex: SiteIndex(snapshot: new))
}

@Test func capacityEditTouchesOnlyTheSystemAndItsListRow() {
    var system = SampleConfig.members("systems/sys-l1-huddle.json")
    system["capacity"] = 12
    #expect(affected(["systems/sys-l1-huddle.json": system])
            == [.detail(ObjectRef(.system, "sys-l1-huddle")), .list(.system, page: 1)])
}

@Test func renameTouchesZonesModulesListsAndTheLevelMap() {
    var system = SampleConfig.members("systems/sys-l1-huddle.json")
    system["name"] = "Huddle Nook"
    let pages = affected(["systems/sys-l1-huddle.json": system])
    for zone in ["zone-harbourpoint", "zone-hp-tower", "zone-hp-l1"] { #expect(pages.contains(.detail(ObjectRef(.zone, zone)))) }
    for module in ["mod-l1-huddle-logic", "mod-l1-huddle-hvac"] { #expect(pages.contains(.detail(ObjectRef(.module, module)))) }
    #expect(pages.contains(.map(zoneID: "zone-hp-l1")))
    #expect(pages.contains(.list(.module, page: 1)))
    #expect(!pages.contains(.detail(ObjectRef(.system, "sys-l1-training"))))
    #expect(!pages.contains(.home))
}

@Test func deletingAModuleTouchesItsSystemAndHome() {
    let pages = affected(["modules/mod-l1-huddle-hvac.json": nil])
    #expect(pages.contains(.detail(ObjectRef(.system, "sys-l1-huddle"))))
    #expect(pages.contains(.home))
    #expect(pages.contains(.list(.module, page: 1)))
}

@Test func mapFileChangeTouchesItsZoneMap() {
    let old = SampleConfig.snapshot(commit: "old")
    let pages = PageDependencies.affectedPages(changedPaths: ["maps/level-2.svg"], old: old, new: old,
                                               oldIndex: SiteIndex(snapshot: old), newIndex: SiteIndex(snapshot: old))
    #expect(pages == [.map(zoneID: "zone-hp-l2")])
}

/// The strongest check of the dependency rules: after an incremental update, every file is
/// byte-identical to a full render of the new snapshot.
@Test(arguments: [
    ["systems/sys-l1-huddle.json": ["name": "Huddle <Nook>", "zones": ["zone-hp-l2"], "map_id": "room-l2-jetty", "modules": ["mod-l1-huddle-hvac"]]],
    ["zones/zone-hp-l1.json": ["name": "Ground", "parent_id": "zone-harbourpoint", "tags": ["level", "ground"], "map_id": "level-1.svg"]],
    ["drivers/driver-modbus-hvac.json": nil as [String: JSONValue]?],
    ["modules/mod-l1-huddle-lighting.json": ["driver_id": "driver-lutron-lighting", "custom_name": "Lights", "ip": "10.0.0.9", "running": false]],
] as [[String: [String: JSONValue]?]])
func incrementalUpdateEqualsFullRender(edits: [String: [String: JSONValue]?]) throws {
    let old = SampleConfig.snapshot(commit: "old")
    let new = SampleConfig.snapshot(commit: "new", edits)
    let incrementalDirectory = TemporaryDirectory(), fullDirectory = TemporaryDirectory()
    let incremental = incrementalDirectory.path, full = fullDirectory.path
    let paths = Array(edits.keys)
    let builder = SiteBuilder(library: SiteFixtures.library, directory: incremental, changedPaths: { _, _ in paths })
    try builder.renderAll(old)
    let report = try builder.update(to: new)
    #expect(report.written > 0)
    try SiteBuilder(library: SiteFixtures.library, directory: full, changedPaths: { _, _ in [] }).renderAll(new)
    let files = try FileManager.default.subpathsOfDirectory(atPath: full).filter { $0.hasSuffix(".html") }
    let stale = try FileManager.default.subpathsOfDirectory(atPath: incremental).filter { $0.hasSuffix(".html") }
    #expect(Set(stale) == Set(files), "pages that should be gone or are missing")
    for file in files {
        let expected = FileManager.default.contents(atPath: full + "/" + file)
        let actual = FileManager.default.contents(atPath: incremental + "/" + file)
        #expect(expected == actual, "\(file) differs from a full render")
    }
}

@Test func aFullRenderReplacesOnlyItsOwnDirectory() throws {
    let foreignDirectory = TemporaryDirectory(), oursDirectory = TemporaryDirectory()
    let foreign = foreignDirectory.path, ours = oursDirectory.path + "/site"
    try "keep me".write(toFile: foreign + "/notes.txt", atomically: true, encoding: .utf8)
    let intoForeign = SiteBuilder(library: SiteFixtures.library, directory: foreign, changedPaths: { _, _ in [] })
    try intoForeign.renderAll(SampleConfig.snapshot(commit: "a"))
    try intoForeign.renderAll(SampleConfig.snapshot(commit: "b"))
    #expect(FileManager.default.fileExists(atPath: foreign + "/notes.txt"))        // not ours: never deleted
    #expect(FileManager.default.fileExists(atPath: foreign + "/systems/sys-l1-huddle.html"))

    let intoOurs = SiteBuilder(library: SiteFixtures.library, directory: ours, changedPaths: { _, _ in [] })
    try intoOurs.renderAll(SampleConfig.snapshot(commit: "a"))
    let first = try Data(contentsOf: URL(fileURLWithPath: ours + "/systems/sys-l1-huddle.html"))
    try "stale".write(toFile: ours + "/systems/sys-gone.html", atomically: true, encoding: .utf8)
    try String(repeating: "longer than the page ", count: 5_000).write(toFile: ours + "/systems/sys-l1-huddle.html", atomically: false, encoding: .utf8)
    let report = try intoOurs.renderAll(SampleConfig.snapshot(commit: "b"))         // ours: rewritten in place, nothing stale
    #expect(!FileManager.default.fileExists(atPath: ours + "/systems/sys-gone.html"))
    #expect(report.removed == 1)
    #expect(try Data(contentsOf: URL(fileURLWithPath: ours + "/systems/sys-l1-huddle.html")) == first)
}
