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
