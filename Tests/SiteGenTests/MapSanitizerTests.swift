import Testing
@testable import SiteGen

private func clean(_ svg: String, links: [MapSanitizer.RoomLink] = []) throws -> MapSanitizer.Result {
    try MapSanitizer.sanitize(Array(svg.utf8), links: links)
}

private let hostile: [String] = [
    #"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script><rect id="r"/></svg>"#,
    #"<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect id="r" onclick="alert(1)" ONMOUSEOVER="alert(2)"/></svg>"#,
    #"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><a xlink:href="javascript:alert(1)"><rect/></a><use href="java&#x09;script:alert(1)"/></svg>"#,
    #"<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><body xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script><iframe src="https://evil.example"/></body></foreignObject></svg>"#,
    #"<svg xmlns="http://www.w3.org/2000/svg"><image href="https://evil.example/track.png"/><use href="https://evil.example/sprite.svg#a"/></svg>"#,
    #"<svg xmlns="http://www.w3.org/2000/svg"><rect style="fill:url(https://evil.example/x)" fill="url(http://evil.example/#g)"/><style>@import url(https://evil.example/x.css);</style></svg>"#,
    #"<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><svg xmlns="http://www.w3.org/2000/svg"><text>&xxe;</text></svg>"#,
    #"<svg xmlns="http://www.w3.org/2000/svg"><animate attributeName="href" to="javascript:alert(1)"/><set attributeName="onclick" to="alert(1)"/><!-- <script>alert(1)</script> --><![CDATA[<script>alert(1)</script>]]></svg>"#,
    #"<svg xmlns="http://www.w3.org/2000/svg"><text>&lt;/svg&gt;&lt;script&gt;alert(1)&lt;/script&gt;</text></svg>"#,
    // Entity references the parser cannot resolve stay references; the browser resolves them (issue 11).
    svgDoctype + #"<svg xmlns="http://www.w3.org/2000/svg"><rect id="keep" style="fill:url&lpar;http&colon;//evil.example/x&rpar;"/></svg>"#,
    svgDoctype + #"<svg xmlns="http://www.w3.org/2000/svg"><use HREF="&Tab;javascript&colon;alert(1)"/><rect fill="url&lpar;//evil.example&rpar;"/></svg>"#,
    svgDoctype + #"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><use xlink:href="java&NewLine;script&colon;alert(1)"/></svg>"#,
    // Names in any case.
    #"<svg xmlns="http://www.w3.org/2000/svg"><use HREF="javascript:alert(1)"/><use Href="https://evil.example/a.svg#x"/><rect OnClick="alert(1)" ONLOAD="alert(2)" onBegin="alert(3)"/></svg>"#,
    #"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><use xlink:HREF="javascript:alert(1)"/><FOREIGNOBJECT><script>alert(1)</script></FOREIGNOBJECT><Script>alert(1)</Script></svg>"#,
    // javascript: with character references, whitespace, tabs and newlines.
    #"<svg xmlns="http://www.w3.org/2000/svg"><use href="&#x6A;avascript:alert(1)"/><use href="  java\#tscript:alert(1)"/><use href="&#9;javascript&#58;alert(1)"/><use href="java&#10;script:alert(1)"/></svg>"#,
    #"<svg xmlns="http://www.w3.org/2000/svg"><rect fill="url( 'javascript:alert(1)' )"/><rect style="fill:url(&quot;javascript:alert(1)&quot;)"/></svg>"#,
    // External references in every attribute that takes one.
    #"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><use xlink:href="https://evil.example/a.svg#x"/><linearGradient id="g" href="//evil.example/g"/><pattern id="p" xlink:href="data:image/svg+xml;base64,PHN2Zz4="/><use href="evil.example.svg#room"/></svg>"#,
    #"<svg xmlns="http://www.w3.org/2000/svg"><rect stroke="url(https://evil.example/a)" mask="url( https://evil.example/m )" clip-path="URL(//evil.example/c)" filter="url(evil.example#f)" marker-start="url('https://evil.example/m')"/></svg>"#,
    #"<svg xmlns="http://www.w3.org/2000/svg"><rect style="background:url(//evil.example/)"/><rect style="fill:URL(https://evil.example)"/><rect style="fill:u\72l(https://evil.example)"/><rect style="behavior:url(evil.example.htc)"/><rect fill="url(#g) url(https://evil.example)"/><rect style="fill:expression(alert(1))"/></svg>"#,
    #"<svg xmlns="http://www.w3.org/2000/svg"><rect style="fill:url(&quot;https://evil.example/x&quot;)"/><rect style="@import 'https://evil.example/x.css'"/><script href="https://evil.example/x.js"/></svg>"#,
    // Internal entities, parameter entities and external entities (XXE).
    #"<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY js "javascript:alert(1)"><!ENTITY ev "https://evil.example/x">]><svg xmlns="http://www.w3.org/2000/svg"><use href="&js;"/><rect fill="url(&ev;)"/><text>&js;</text></svg>"#,
    #"<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY % remote SYSTEM "https://evil.example/x.dtd"> %remote;]><svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>"#,
    #"<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "javascript:"><!ENTITY b "&a;&a;&a;&a;">]><svg xmlns="http://www.w3.org/2000/svg"><use href="&b;alert(1)"/></svg>"#,
    // CDATA tricks.
    #"<svg xmlns="http://www.w3.org/2000/svg"><text><![CDATA[</text><script>alert(1)</script>]]></text><style><![CDATA[@import url(https://evil.example/x.css);]]></style></svg>"#,
    #"<svg xmlns="http://www.w3.org/2000/svg"><title><![CDATA[</title><script>alert(1)</script>]]></title><desc><![CDATA[<img src=x onerror=alert(1)>]]></desc></svg>"#,
    // Namespaced attributes and elements.
    #"<svg xmlns="http://www.w3.org/2000/svg" xmlns:ev="http://www.w3.org/2001/xml-events" xmlns:x="http://evil.example/ns"><rect ev:event="click" x:href="javascript:alert(1)" xml:base="javascript:alert(1)//"/><x:script>alert(1)</x:script></svg>"#,
    #"<svg xmlns="http://www.w3.org/2000/svg" xmlns:h="http://www.w3.org/1999/xhtml"><h:iframe src="https://evil.example"/><h:a href="javascript:alert(1)">x</h:a></svg>"#,
    // Links, processing instructions, animations.
    ##"<?xml-stylesheet href="https://evil.example/x.css"?><svg xmlns="http://www.w3.org/2000/svg"><a href="javascript:alert(1)"><rect/></a><?php evil ?><animate href="#r" attributeName="href" values="javascript:alert(1)"/></svg>"##,
]

/// A DOCTYPE with an external subset the parser does not load: undeclared entities then become
/// entity references instead of errors.
private let svgDoctype = #"<?xml version="1.0"?><!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">"#

/// Each hostile map is refused as a whole or comes out inert.
@Test(arguments: hostile)
func hostileMapsComeOutInert(svg: String) throws {
    let output: String
    do { output = try clean(svg).svg.text.lowercased() } catch { return }
    for needle in ["<script", "onload", "onclick", "onmouseover", "onbegin", "javascript", "foreignobject", "<iframe", "evil.example",
                   "<image", "<style", "@import", "/etc/passwd", "root:", "<animate", "<set", "<!--", "cdata", "&lpar;", "&colon;",
                   "&tab;", "&newline;", "&js;", "&ev;", "&b;", "xml:base", "event=", "expression", "url(h", "url(/", "data:",
                   "<a ", "<?", "<!doctype", "<!entity", "href=\"java", "href=\" "] {
        #expect(!output.contains(needle), "\(needle) survived in \(output)")
    }
    #expect(output.hasPrefix("<svg"))
}

@Test func roomsBecomeLinksWithTooltips() throws {
    let svg = ##"<svg xmlns="http://www.w3.org/2000/svg"><g><rect id="room-a" class="room"/><rect id="room-b"/></g><use href="#room-a"/></svg>"##
    let result = try clean(svg, links: [
        .init(elementID: "room-a", href: "/backoffice/systems/sys-a/", title: "Board <room> & \"co\""),
        .init(elementID: "room-z", href: "/backoffice/systems/sys-z/", title: "Nowhere"),
    ])
    let text = result.svg.text
    #expect(text.contains(#"<a href="/backoffice/systems/sys-a/" class="room-link"><rect id="room-a" class="room"/><title>Board &lt;room&gt; &amp; "co"</title></a>"#))
    #expect(text.contains(##"<use href="#room-a"/>"##))
    #expect(result.missing == ["room-z"])
}

@Test func brokenMapsAreRefusedWithAReason() {
    #expect(throws: MapSanitizer.MapError.self) { try clean("<svg><rect></svg>") }
    #expect(throws: MapSanitizer.MapError.self) { try clean(#"<html xmlns="http://www.w3.org/1999/xhtml"/>"#) }
}

@Test func anUndeclaredNamespacePrefixIsRefusedNamingIt() {
    // The browser renders such a map differently from what we checked: refuse it.
    #expect {
        try clean(#"<svg xmlns="http://www.w3.org/2000/svg"><plan:room id="r"/></svg>"#)
    } throws: { error in
        (error as? MapSanitizer.MapError)?.message.contains("plan") == true
    }
    #expect(throws: MapSanitizer.MapError.self) {
        try clean(##"<svg xmlns="http://www.w3.org/2000/svg"><rect xlink:href="#a"/></svg>"##)
    }
}

@Test func anAttributeHoldingAnEntityReferenceIsDroppedAndTheElementKept() throws {
    let declared = #"<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY lp "(">]>"#
    let output = try clean(declared + #"<svg xmlns="http://www.w3.org/2000/svg"><rect id="keep" class="room" style="fill:url&lp;x)"/></svg>"#).svg.text
    #expect(output.contains(#"<rect id="keep" class="room"/>"#), "\(output)")
}

@Test func anEntityTheMapDoesNotDeclareRefusesTheMap() {
    // libxml2 leaves it out of the value it reports; a browser may resolve it (`&lpar;` → `(`).
    #expect {
        try clean(svgDoctype + #"<svg xmlns="http://www.w3.org/2000/svg"><rect style="fill:url&lpar;http&colon;//evil.example/x&rpar;"/></svg>"#)
    } throws: { error in
        (error as? MapSanitizer.MapError)?.message.contains("lpar") == true
    }
}

@Test func aLinkGoesButWhatItWrapsStays() throws {
    let svg = ##"<svg xmlns="http://www.w3.org/2000/svg"><a href="https://example.com/"><text id="label">Ferry <tspan>Room</tspan></text><a href="javascript:alert(1)"><rect id="inner"/>tail</a></a>text after</svg>"##
    let output = try clean(svg).svg.text
    #expect(!output.contains("<a"), "\(output)")
    #expect(!output.contains("example.com") && !output.contains("javascript"), "\(output)")
    #expect(output.contains(#"<text id="label">Ferry <tspan>Room</tspan></text><rect id="inner"/>tailtext after"#), "\(output)")
}

@Test func safeReferencesAndStylesSurvive() throws {
    let svg = ##"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><defs><linearGradient id="g"/></defs><rect id="a" fill="url(#g)" style="stroke: url( '#g' ); opacity: 0.5"/><use xlink:href="#a"/><use href="#a"/><text xml:space="preserve">Café &amp; co</text></svg>"##
    let output = try clean(svg).svg.text
    for kept in [#"fill="url(#g)""#, #"style="stroke: url( '#g' ); opacity: 0.5""#, ##"xlink:href="#a""##, ##"<use href="#a"/>"##,
                 #"xml:space="preserve""#, "Café &amp; co"] {
        #expect(output.contains(kept), "\(kept) missing from \(output)")
    }
}

@Test func sampleMapsSurviveWithTheirRooms() throws {
    let path = #filePath.replacingOccurrences(of: "Tests/SiteGenTests/MapSanitizerTests.swift", with: "sample-config/maps/level-1.svg")
    let bytes = try [UInt8](String(contentsOfFile: path, encoding: .utf8).utf8)
    let result = try MapSanitizer.sanitize(bytes, links: [.init(elementID: "room-l1-huddle", href: "/x", title: "Huddle")])
    #expect(result.missing.isEmpty)
    #expect(result.svg.text.contains("room-l1-training"))
}

import Foundation

@Test func mostHostileMapsAreCleanedNotJustRefused() {
    // Refusing is safe, but a map with one bad attribute should still render without it: only
    // the maps with entities the parser cannot see through are refused.
    let refused = hostile.filter { (try? clean($0)) == nil }
    #expect(refused.count <= 3, "refused: \(refused)")
}

/// A map with an internal DTD comes out without it, and the DTD is freed with the document: it
/// leaked once (xmlUnlinkNode cleared the pointer freed after it), found by the `svg` fuzz
/// target under LeakSanitizer; fuzz/corpus/svg/entity replays that input there.
@Test func internalSubsetIsDroppedAndFreed() throws {
    for _ in 0..<3 {
        let output = try clean(#"<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x "y">]><svg xmlns="http://www.w3.org/2000/svg"><rect id="r"/></svg>"#).svg.text
        #expect(output.hasPrefix("<svg"))
        #expect(!output.contains("DOCTYPE") && !output.contains("ENTITY"))
    }
}
