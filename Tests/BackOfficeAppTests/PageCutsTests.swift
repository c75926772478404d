import Foundation
import Testing
@testable import BackOfficeApp

/// Pre-rendered pages are cut once at their per-request holes and assembled per request by
/// copying bytes (issue 11, item 9: a 20 MB description cost each view of its page 5 s).
@Suite struct PageCutsTests {
    let source = LiveMarks.Source(dot: { _ in LiveDot(dot: "offline", text: "offline: login <refused>") }, room: { _ in "free" },
                                  counts: { (online: 1, offline: 2, stopped: 3) })

    @Test func everyHoleIsFilledAndTheRestCopied() {
        let page = #"<body><!--notices--><h1><span data-module="mod-a" class="dot pending"></span><span data-module-text="mod-a">not applied yet</span></h1>"#
            + #"<!--settings--><!--user-panel--><a href="/backoffice/systems/sys-1/" class="room-link"><rect/></a><!--live-counts--></body>"#
        let cuts = PageCuts.cut(Array(page.utf8))
        #expect(cuts.hasLiveMarks && cuts.has(.settings) && cuts.has(.userPanel) && cuts.has(.notices))
        let filled = String(decoding: cuts.assemble(PageCuts.Fill(notices: "<p>N</p>", settings: "<p>S</p>", userPanel: "<p>U</p>", live: source)),
                            as: UTF8.self)
        #expect(filled == #"<body><p>N</p><h1><span data-module="mod-a" class="dot offline"></span><span data-module-text="mod-a">offline: login &lt;refused&gt;</span></h1>"#
            + #"<p>S</p><p>U</p><a href="/backoffice/systems/sys-1/" class="room-link room-free"><rect/></a>"# + LiveMarks.countsHTML((1, 2, 3)) + "</body>")
        // What a request does not fill keeps the page's own bytes.
        #expect(String(decoding: cuts.assemble(PageCuts.Fill()), as: UTF8.self) == page)
    }

    @Test func whatARequestPutsInIsNeverReadForMarks() {
        let cuts = PageCuts.cut(Array("<!--notices--><p>x</p>".utf8))
        let notice = #"<div><span data-module="mod-a" class="dot x"></span><!--settings--></div>"#
        let filled = String(decoding: cuts.assemble(PageCuts.Fill(notices: notice, settings: "SETTINGS", live: source)), as: UTF8.self)
        #expect(filled == notice + "<p>x</p>")
    }

    @Test func aPageIsCutOncePerVersionHoweverOftenItIsServed() throws {
        let directory = NSTemporaryDirectory() + "page-cuts-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/page.html"
        // A page as large as the one a 20 MB description made.
        let body = String(repeating: "word ", count: 4_000_000)
        try Data(("<!--notices--><p>" + body + "</p>").utf8).write(to: URL(fileURLWithPath: path))
        let cache = PageCutCache()
        for _ in 0..<20 {
            let cuts = try #require(cache.cuts(of: path))
            #expect(cuts.assemble(PageCuts.Fill(notices: "N")).count == 20_000_008)
        }
        #expect(cache.cutCount == 1)
        try Data("<!--notices--><p>changed and longer</p>".utf8).write(to: URL(fileURLWithPath: path))
        #expect(cache.cuts(of: path)?.assemble(PageCuts.Fill(notices: "N")) == Array("N<p>changed and longer</p>".utf8))
        #expect(cache.cutCount == 2)
    }

    @Test func theCacheKeepsAtMostItsCapacity() throws {
        let directory = NSTemporaryDirectory() + "page-cuts-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let cache = PageCutCache(capacity: 3_000)
        for index in 0..<5 {
            try Data(String(repeating: "x", count: 1_000).utf8).write(to: URL(fileURLWithPath: directory + "/\(index).html"))
            _ = cache.cuts(of: directory + "/\(index).html")
        }
        _ = cache.cuts(of: directory + "/4.html")
        #expect(cache.cutCount == 5)
        _ = cache.cuts(of: directory + "/0.html")   // evicted: cut again
        #expect(cache.cutCount == 6)
    }
}
