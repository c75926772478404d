import Testing
@testable import WebServer

/// `RequestTarget.parse` splits on bytes and keeps the path as sent when it needs no decoding:
/// the decoded path, the segments and the refusals must be the same either way.
@Test(arguments: [
    ("/", "/", [String]()),
    ("/plaintext", "/plaintext", ["plaintext"]),
    ("/a/b/", "/a/b/", ["a", "b"]),
    ("/a//b", "/a/b", ["a", "b"]),
    ("//a/", "/a/", ["a"]),
    ("/a%20b/c%2Fd", "/a b/c/d", ["a b", "c/d"]),
    ("/caf%C3%A9/x?y=%20", "/café/x", ["café", "x"]),
    ("/ünïcode/ok", "/ünïcode/ok", ["ünïcode", "ok"]),
    ("http://host:8080/p/q?x=1", "/p/q", ["p", "q"]),
    ("http://host?x=1", "/", [String]()),
])
func targetsDecode(target: String, path: String, segments: [String]) throws {
    let parsed = try RequestTarget.parse(target)
    #expect(parsed.path == path)
    #expect(parsed.segments == segments)
}

@Test(arguments: [
    ("/a#frag", "fragment in request target"),
    ("/a/%zz", "bad percent-encoding in path"),
    ("/a/%00", "NUL in path"),
    ("/a/../b", "dot segment in path"),
    ("/a/%2e%2E/b", "dot segment in path"),
    ("/a/./b", "dot segment in path"),
    ("ftp://host/a", "bad request target"),
])
func badTargetsAreRefused(target: String, message: String) {
    #expect(throws: HTTPError.self) { try RequestTarget.parse(target) }
    do {
        _ = try RequestTarget.parse(target)
    } catch {
        #expect(error.status == .badRequest)
        #expect(error.message == message)
    }
}
