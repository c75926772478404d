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
]

@Test(arguments: hostile)
func hostileMapsComeOutInert(svg: String) throws {
    let output = try clean(svg).svg.text.lowercased()
    for needle in ["<script", "onload", "onclick", "onmouseover", "javascript", "foreignobject", "<iframe", "evil.example",
                   "<image", "<style", "@import", "/etc/passwd", "root:", "<animate", "<set", "<!--", "cdata"] {
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

@Test func sampleMapsSurviveWithTheirRooms() throws {
    let path = #filePath.replacingOccurrences(of: "Tests/SiteGenTests/MapSanitizerTests.swift", with: "sample-config/maps/level-1.svg")
    let bytes = try [UInt8](String(contentsOfFile: path, encoding: .utf8).utf8)
    let result = try MapSanitizer.sanitize(bytes, links: [.init(elementID: "room-l1-huddle", href: "/x", title: "Huddle")])
    #expect(result.missing.isEmpty)
    #expect(result.svg.text.contains("room-l1-training"))
}

import Foundation
