import Testing
@testable import BackOfficeApp

@Suite struct LiveMarksTests {
    let source = LiveMarks.Source(
        dot: { $0 == "mod-a" ? LiveDot(dot: "online", text: "online") : LiveDot(dot: "offline", text: "offline") },
        room: { $0 == "sys-1" ? "in_use" : "unknown" },
        counts: { (online: 3, offline: 1, stopped: 2) })

    @Test func dotsAndTheirWordsTakeTheModulesStateOfTheMoment() {
        let page = #"<td><span data-module="mod-a" class="dot running"></span><span data-module-text="mod-a">running</span></td>"#
            + #"<td><span data-module="mod-b" class="dot running"></span></td>"#
        let filled = LiveMarks.fill(page, from: source)
        #expect(filled == #"<td><span data-module="mod-a" class="dot online"></span><span data-module-text="mod-a">online</span></td>"#
            + #"<td><span data-module="mod-b" class="dot offline"></span></td>"#)
    }

    @Test func mapRoomsGetTheirStateClassAndOtherLinksAreLeftAlone() {
        let page = #"<a href="/backoffice/systems/sys-1/" class="room-link"><rect/></a>"#
            + #"<a href="/backoffice/systems/sys-2/" class="room-link"><path/></a><a href="/backoffice/systems/">all</a>"#
        let filled = LiveMarks.fill(page, from: source)
        #expect(filled == #"<a href="/backoffice/systems/sys-1/" class="room-link room-in_use"><rect/></a>"#
            + #"<a href="/backoffice/systems/sys-2/" class="room-link room-unknown"><path/></a><a href="/backoffice/systems/">all</a>"#)
    }

    @Test func theCountsMarkerBecomesTheCounts() {
        let filled = LiveMarks.fill("<div><!--live-counts--></div>", from: source)
        #expect(filled.contains(#"<b data-count="online">3</b> online"#))
        #expect(filled.contains(#"<b data-count="offline">1</b> offline"#))
        #expect(filled.contains(#"<b data-count="stopped">2</b> stopped"#))
        #expect(!filled.contains("<!--live-counts-->"))
    }

    @Test func marksThatDoNotHaveTheExactShapeAreNotTouched() {
        // Text a user wrote (escaped by the templates) never has the exact shape; odd ids are skipped.
        let pages = [
            #"<p>data-module="mod-a" and more</p>"#,
            #"<span data-module="mod a" class="dot running"></span>"#,
            #"<span data-module="mod-a" class="dot running"#,
            #"<a href="/backoffice/systems/sys-1/x" class="room-link">"#,
        ]
        for page in pages { #expect(LiveMarks.fill(page, from: source) == page) }
    }

    @Test func pagesWithoutMarksAreRecognisedSoTheyCanBeServedAsFiles() {
        #expect(!LiveMarks.hasMarks("<h1>home</h1>"))
        #expect(LiveMarks.hasMarks("<div><!--live-counts--></div>"))
        #expect(LiveMarks.hasMarks(#"<span data-module="mod-a" class="dot running"></span>"#))
        #expect(LiveMarks.hasMarks(#"<a href="/backoffice/systems/sys-1/" class="room-link">"#))
    }
}
