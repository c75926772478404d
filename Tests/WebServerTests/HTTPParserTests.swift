import Testing
@testable import WebServer

/// Feeds `text` to a fresh parser, `chunk` bytes at a time, and records every event.
func parse(_ text: String, chunk: Int = Int.max, limits: HTTPRequestParser.Limits = .init()) -> [String] {
    var parser = HTTPRequestParser(limits: limits)
    var input = InputBuffer()
    var events: [String] = []
    let bytes = Array(text.utf8)
    var offset = 0
    var body: [UInt8] = []
    while offset < bytes.count || events.isEmpty {
        let end = min(bytes.count, offset + chunk)
        input.append(Array(bytes[offset..<end]))
        offset = end
        loop: while true {
            switch parser.next(&input) {
            case .needMore: break loop
            case .head(let head):
                events.append("head \(head.method) \(head.target) \(head.version) keepAlive=\(head.keepAlive) \(head.framing)")
            case .body(let piece): body.append(contentsOf: piece)
            case .end:
                if !body.isEmpty { events.append("body \(String(decoding: body, as: UTF8.self))") }
                body = []
                events.append("end")
            case .error(let error):
                events.append("error \(error.status.code)")
                return events
            }
        }
        if offset >= bytes.count { break }
    }
    return events
}

@Test func simpleGet() {
    #expect(parse("GET / HTTP/1.1\r\nHost: a\r\n\r\n") == ["head GET / HTTP/1.1 keepAlive=true none", "end"])
}

@Test func simpleGetByteByByte() {
    #expect(parse("GET /x?y=1 HTTP/1.1\r\nHost: a\r\n\r\n", chunk: 1) == ["head GET /x?y=1 HTTP/1.1 keepAlive=true none", "end"])
}

/// Every case is fed whole and one byte at a time; both must agree.
func parseBothWays(_ text: String, limits: HTTPRequestParser.Limits = .init()) -> [String] {
    let whole = parse(text, limits: limits)
    let bytewise = parse(text, chunk: 1, limits: limits)
    #expect(whole == bytewise, "whole vs byte-by-byte differ for \(text.debugDescription)")
    return whole
}

@Test(arguments: [
    ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
    ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx", 400),
    ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1, 1\r\n\r\nx", 400),
    ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +1\r\n\r\nx", 400),
    ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x1\r\n\r\nx", 400),
    ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1 \r\n\r\nx", 200),
    ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, identity\r\n\r\n", 400),
    ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501),
    ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
    ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nz\r\n", 400),
    ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000000000\r\n", 400),
    ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nxy", 400),
    ("GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400),
    ("GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n 2\r\n\r\n", 400),
    ("GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n", 400),
    ("GET / HTTP/1.1\nHost: a\r\n\r\n", 400),
    ("GET / HTTP/1.1\r\n\r\n", 400),
    ("GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", 400),
    ("GET / HTTP/3.0\r\nHost: a\r\n\r\n", 505),
    ("GET / HTTX/1.1\r\nHost: a\r\n\r\n", 400),
    ("G(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
    ("GET /a b HTTP/1.1\r\nHost: a\r\n\r\n", 400),
    ("POST / HTTP/1.1\r\nHost: a\r\nExpect: 200-ok\r\nContent-Length: 1\r\n\r\nx", 417),
])
func badRequestsFail(text: String, status: Int) {
    let events = parseBothWays(text)
    if status == 200 {
        #expect(!events.contains { $0.hasPrefix("error") }, "\(events)")
    } else {
        #expect(events.last == "error \(status)", "\(text.debugDescription) → \(events)")
    }
}

@Test func limitsGiveTheirStatuses() {
    let limits = HTTPRequestParser.Limits(maxRequestLineBytes: 32, maxHeaderBytes: 64, maxHeaderCount: 3, maxBodyBytes: 10)
    #expect(parseBothWays("GET /" + String(repeating: "a", count: 40) + " HTTP/1.1\r\n", limits: limits).last == "error 414")
    #expect(parseBothWays("GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", limits: limits).last == "error 431")
    #expect(parseBothWays("GET / HTTP/1.1\r\nHost: a\r\nA: " + String(repeating: "v", count: 60) + "\r\n\r\n", limits: limits).last == "error 431")
    #expect(parseBothWays("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\n", limits: limits).last == "error 413")
    #expect(parseBothWays("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n6\r\n", limits: limits).last == "error 413")
}

@Test func requestLineLimitHitsBeforeTheLineEnds() {
    // The whole line need not arrive for the parser to know it is too long.
    let limits = HTTPRequestParser.Limits(maxRequestLineBytes: 16)
    #expect(parse("GET /" + String(repeating: "a", count: 40), chunk: 1, limits: limits).last == "error 414")
}

@Test func pipelinedRequestsComeOutInOrder() {
    let text = "GET /1 HTTP/1.1\r\nHost: a\r\n\r\nPOST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"
        + "POST /3 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nde\r\n1;x=y\r\nf\r\n0\r\nT: 1\r\n\r\n"
        + "\r\nGET /4 HTTP/1.0\r\n\r\n"
    #expect(parseBothWays(text) == [
        "head GET /1 HTTP/1.1 keepAlive=true none", "end",
        "head POST /2 HTTP/1.1 keepAlive=true length(3)", "body abc", "end",
        "head POST /3 HTTP/1.1 keepAlive=true chunked", "body def", "end",
        "head GET /4 HTTP/1.0 keepAlive=false none", "end",
    ])
}

@Test func keepAliveRules() {
    #expect(parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").first == "head GET / HTTP/1.1 keepAlive=false none")
    #expect(parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").first == "head GET / HTTP/1.0 keepAlive=true none")
    #expect(parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, Close\r\n\r\n").first == "head GET / HTTP/1.1 keepAlive=false none")
}

@Test func headerNamesAreLowercasedAndValuesTrimmed() {
    var parser = HTTPRequestParser()
    var input = InputBuffer(Array("GET / HTTP/1.1\r\nHOST: a\r\nX-Thing: \t spaced value \t\r\n\r\n".utf8))
    guard case .head(let head) = parser.next(&input) else {
        Issue.record("no head")
        return
    }
    #expect(head.headers["host"] == "a")
    #expect(head.headers["x-thing"] == "spaced value")
    #expect(head.headers.fields.map(\.name) == ["host", "x-thing"])
}

@Test func errorsAreSticky() {
    var parser = HTTPRequestParser()
    var input = InputBuffer(Array("GET / HTTP/1.1\nHost: a\r\n\r\n".utf8))
    guard case .error = parser.next(&input) else {
        Issue.record("expected an error")
        return
    }
    input.append(Array("GET / HTTP/1.1\r\nHost: a\r\n\r\n".utf8))
    guard case .error = parser.next(&input) else {
        Issue.record("parser recovered after an error")
        return
    }
}
