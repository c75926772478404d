import Testing
@testable import SiteGen

private func render(_ source: String, _ value: TemplateValue, partials: [String: String] = [:]) throws -> String {
    var sources = partials
    sources["main"] = source
    let library = try TemplateLibrary(sources: sources)
    return String(decoding: try library.render("main", value), as: UTF8.self)
}

private func parseError(_ source: String, partials: [String: String] = [:]) -> TemplateError? {
    var sources = partials
    sources["main"] = source
    do {
        _ = try TemplateLibrary(sources: sources)
        return nil
    } catch {
        return error
    }
}

@Test func variablesSectionsAndInvertedSections() throws {
    let source = "<h1>{{title}}</h1>{{#items}}<li>{{name}}={{count}}</li>{{/items}}{{^items}}<p>none</p>{{/items}}{{#flag}}F{{/flag}}{{^flag}}!F{{/flag}}"
    #expect(try render(source, ["title": "Rooms", "items": [["name": "a", "count": "1"], ["name": "b", "count": "2"]], "flag": true])
            == "<h1>Rooms</h1><li>a=1</li><li>b=2</li>F")
    #expect(try render(source, ["title": "Empty", "items": [], "flag": false]) == "<h1>Empty</h1><p>none</p>!F")
    #expect(try render("{{#a}}{{b.c}}{{/a}}|{{missing}}|{{#list}}[{{.}}]{{/list}}", ["a": ["b": ["c": "deep"]], "list": ["x", "y"]])
            == "deep||[x][y]")
}

@Test func outerNamesAreVisibleInsideSections() throws {
    #expect(try render("{{#rows}}{{name}}@{{zone}} {{/rows}}", ["zone": "L1", "rows": [["name": "a"], ["name": "b", "zone": "L2"]]])
            == "a@L1 b@L2 ")
}

@Test func partialsAndLayout() throws {
    let library = try TemplateLibrary(sources: [
        "layout": "<html><title>{{title}}</title><main>{{content}}</main></html>",
        "page": "<p>{{> greeting}}</p>",
        "greeting": "hello {{who}}",
    ])
    let html = String(decoding: try library.renderPage("page", ["title": "T<", "who": "<b>"]), as: UTF8.self)
    #expect(html == "<html><title>T&lt;</title><main><p>hello &lt;b&gt;</p></main></html>")
}

@Test func commentsAreDropped() throws {
    #expect(try render("a{{! a note }}b", [:]) == "ab")
}

@Test func trustedHTMLIsRawOnlyInText() throws {
    let value: TemplateValue = ["svg": .html(TrustedHTML(trusted: "<svg></svg>"))]
    #expect(try render("<div>{{svg}}</div><a title=\"{{svg}}\">x</a>", value)
            == "<div><svg></svg></div><a title=\"&lt;svg&gt;&lt;/svg&gt;\">x</a>")
}

// MARK: - XSS payloads in every position

private let payloads = [
    "<script>alert(1)</script>",
    "\"><script>alert(1)</script>",
    "' onmouseover='alert(1)",
    "\" onfocus=\"alert(1)\" autofocus=\"",
    "<img src=x onerror=alert(1)>",
    "</textarea><script>alert(1)</script>",
    "`-alert(1)-`",
    "{{injected}}",
]

@Test(arguments: payloads)
func payloadInTextStaysText(payload: String) throws {
    let html = try render("<p>{{v}}</p><textarea>{{v}}</textarea>", ["v": .string(payload), "injected": "LIVE"])
    #expect(!html.contains("<script"))
    #expect(!html.contains("<img"))
    #expect(!html.contains("</textarea><"))
    #expect(!html.contains("LIVE"))
    #expect(!html.dropFirst(3).dropLast(4).contains("\""))
}

@Test(arguments: payloads)
func payloadInAttributeCannotLeaveTheQuotes(payload: String) throws {
    let html = try render("<input value=\"{{v}}\" title='{{v}}'>", ["v": .string(payload)])
    // Exactly the four template quotes survive; nothing opens a tag or an attribute.
    #expect(html.filter { $0 == "\"" }.count == 2)
    #expect(html.filter { $0 == "'" }.count == 2)
    #expect(!html.contains("<script") && !html.contains("<img"))
    #expect(html.filter { $0 == "=" }.count == 2)
}

@Test(arguments: ["javascript:alert(1)", " JavaScript:alert(1)", "java\tscript:alert(1)", "\u{1}javascript:alert(1)",
                  "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)", "JAVASCRIPT&colon;alert(1)"])
func dangerousURLsAreNeutralised(url: String) throws {
    let html = try render("<a href=\"{{u}}\">x</a><form action=\"{{u}}\"></form><img src=\"{{u}}\">", ["u": .string(url)])
    #expect(!html.lowercased().contains("javascript:"))
    #expect(!html.lowercased().contains("data:"))
    #expect(!html.lowercased().contains("vbscript:"))
    #expect(!html.contains("<script"))
}

@Test func safeURLsPass() throws {
    let html = try render("<a href=\"{{a}}\">a</a><a href=\"{{b}}\">b</a><a href=\"{{c}}\">c</a><a href=\"{{d}}\">d</a>",
                          ["a": "https://example.com/x?y=1&z=2", "b": "/backoffice/systems/sys-1/", "c": "mailto:a@b.c", "d": "#top"])
    #expect(html == "<a href=\"https://example.com/x?y&#61;1&amp;z&#61;2\">a</a><a href=\"/backoffice/systems/sys-1/\">b</a>"
            + "<a href=\"mailto:a@b.c\">c</a><a href=\"#top\">d</a>")
}

// MARK: - Errors name file, line and column

@Test func errorsNameFileLineAndColumn() {
    let unclosed = parseError("<p>\n  {{#rows}}\n  <li>{{name}}</li>\n")
    #expect(unclosed?.description == "main:2:3: section 'rows' is never closed")
    let mismatch = parseError("{{#a}}\n{{/b}}")
    #expect(mismatch?.line == 2 && mismatch?.column == 1)
    #expect(mismatch?.message.contains("does not match") == true)
    let open = parseError("ab\ncd {{name")
    #expect(open?.description == "main:2:4: unclosed tag: no '}}' after '{{'")
    #expect(parseError("{{> nothing}}")?.description == "main:1:1: no partial named 'nothing'")
    #expect(parseError("x {{{raw}}}")?.column == 3)
    #expect(parseError("{{bad name}}")?.message.contains("not a valid name") == true)
}

@Test func valuesCannotGoWhereEscapingCannotProtectThem() {
    #expect(parseError("<script>var x = {{v}};</script>")?.message.contains("<script>") == true)
    #expect(parseError("<style>{{v}}</style>")?.message.contains("<style>") == true)
    #expect(parseError("<a onclick=\"{{v}}\">")?.message.contains("event handler") == true)
    #expect(parseError("<a style=\"{{v}}\">")?.message.contains("style") == true)
    #expect(parseError("<a href={{v}}>")?.message.contains("quoted") == true)
    #expect(parseError("<a {{v}}>")?.message.contains("quoted attribute") == true)
    #expect(parseError("<!-- {{v}} -->")?.message.contains("comment") == true)
    #expect(parseError("<a title=\"{{#x}}\">{{/x}}\"")?.message.contains("different HTML context") == true)
    // After a script closes, text is text again.
    #expect(parseError("<script>1</script><p>{{v}}</p>") == nil)
    #expect(parseError("<a class=\"row{{#on}} on{{/on}}\" href=\"{{url}}\">{{name}}</a>") == nil)
}

@Test func partialsCannotRecurseForever() throws {
    let library = try TemplateLibrary(sources: ["a": "{{> a}}"])
    #expect(throws: TemplateError.self) { try library.render("a", [:]) }
}

@Test func sectionsMayAddWholeAttributes() throws {
    let source = "<input type=\"checkbox\" name=\"{{name}}\"{{#checked}} checked{{/checked}}><a href=\"{{u}}\"{{#active}} class=\"active\"{{/active}}>x</a>"
    #expect(try render(source, ["name": "bookable", "checked": true, "u": "/a", "active": true])
            == "<input type=\"checkbox\" name=\"bookable\" checked><a href=\"/a\" class=\"active\">x</a>")
}
