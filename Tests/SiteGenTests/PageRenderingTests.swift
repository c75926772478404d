import Foundation
import Testing
@testable import ConfigRepo
@testable import SiteGen

private func render(_ key: PageKey, _ snapshot: Snapshot = SampleConfig.snapshot(commit: "c")) throws -> String {
    let renderer = PageRenderer(snapshot: snapshot, library: SiteFixtures.library, index: SiteIndex(snapshot: snapshot))
    return String(decoding: try #require(try renderer.render(key)), as: UTF8.self)
}

@Test func systemPageShowsEachValueOnce() throws {
    let html = try render(.detail(ObjectRef(.system, "sys-l3-boardroom")))
    // Settings depend on the reader's role: the page holds only the marker the server fills.
    #expect(!html.contains("vacancy_timeout_minutes"))
    #expect(html.components(separatedBy: SettingsPresenter.marker.text).count == 2)
    #expect(html.contains("<strong>two projectors</strong>"))                       // Markdown-lite
    #expect(html.contains("href=\"/backoffice/zones/zone-hp-l3/map\""))
    for tab in ["id=\"about\"", "id=\"modules\"", "id=\"zones\"", "id=\"triggers\"", "id=\"metadata\"", "Settings history"] {
        #expect(html.contains(tab))
    }
    #expect(html.contains(PageRenderer.noticesMarker.text))
}

@Test func listsPageAtOneHundredRows() throws {
    var edits: [String: [String: JSONValue]?] = [:]
    for index in 0..<230 {
        edits["zones/zone-extra-\(String(format: "%03d", index)).json"] = ["name": .string("Extra \(index)"), "parent_id": "zone-harbourpoint"]
    }
    let snapshot = SampleConfig.snapshot(commit: "many", edits)
    let index = SiteIndex(snapshot: snapshot)
    #expect(index.pageCount(.zone) == 3)
    let second = try render(.list(.zone, page: 2), snapshot)
    #expect(second.contains("page 2 of 3"))
    #expect(second.contains("href=\"/backoffice/zones/page/3/\""))
    #expect(second.components(separatedBy: "<tr><td>").count - 1 == 100)
    #expect(!second.contains("Zone tree"))
    let renderer = PageRenderer(snapshot: snapshot, library: SiteFixtures.library, index: index)
    #expect(try renderer.render(.list(.zone, page: 4)) == nil)
}

@Test func hostileNamesAreEscapedOnEveryPageThatShowsThem() throws {
    var system = SampleConfig.members("systems/sys-l1-huddle.json")
    system["name"] = "<script>alert(1)</script>"
    system["support_url"] = "javascript:alert(2)"
    system["description"] = "[click](javascript:alert(3)) <img src=x onerror=alert(4)>"
    let snapshot = SampleConfig.snapshot(commit: "x", ["systems/sys-l1-huddle.json": system])
    #expect(try render(.detail(ObjectRef(.system, "sys-l1-huddle")), snapshot).contains("<a href=\"#unsafe-url\" rel=\"nofollow noopener\">javascript:alert(2)</a>"))
    for key in [PageKey.detail(ObjectRef(.system, "sys-l1-huddle")), .list(.system, page: 1), .detail(ObjectRef(.zone, "zone-hp-l1")),
                .map(zoneID: "zone-hp-l1"), .detail(ObjectRef(.module, "mod-l1-huddle-hvac"))] {
        let html = try render(key, snapshot)
        #expect(!html.contains("<script>alert"), "\(key)")
        #expect(!html.contains("href=\"javascript:"), "\(key)")
        #expect(!html.contains("<img src=x"), "\(key)")
    }
}
