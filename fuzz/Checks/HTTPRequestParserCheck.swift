// The parsers are internal to WebServer: they are reached with @testable import, which debug
// builds (`swift test`) and the fuzz build (-enable-testing -DFUZZING) allow. A release build of
// the product compiles this file empty.
#if DEBUG || FUZZING
@testable import WebServer

/// The HTTP/1.1 request parser and the request-target decoder. The first byte picks a split
/// point; the rest is the stream. Properties: the same events whether the bytes arrive whole or
/// in two pieces; a body never exceeds its `Content-Length` and ends exactly at it.
public enum HTTPRequestParserCheck: FuzzCheck {
    public static let name = "http"

    public static func check(_ input: [UInt8]) throws(PropertyViolation) {
        guard let first = input.first else { return }
        let stream = Array(input.dropFirst())
        let split = Int(first) % (stream.count + 1)
        let whole = try events(stream, pieces: [stream.count])
        let twoPieces = try events(stream, pieces: [split, stream.count])
        try require(whole == twoPieces, "split at \(split) changed the events: \(whole) against \(twoPieces)")
    }

    static let limits = HTTPRequestParser.Limits(maxRequestLineBytes: 512, maxHeaderBytes: 2048, maxHeaderCount: 100, maxBodyBytes: 4096)

    /// The events for `bytes` fed in pieces ending at `pieces`, body pieces summed.
    static func events(_ bytes: [UInt8], pieces: [Int]) throws(PropertyViolation) -> [String] {
        var parser = HTTPRequestParser(limits: limits)
        var buffer = InputBuffer()
        var out: [String] = []
        var start = 0
        var declared: Int?
        var body = 0
        feeding: for end in pieces {
            buffer.append(Array(bytes[start..<end]))
            start = end
            while true {
                switch parser.next(&buffer) {
                case .needMore:
                    continue feeding
                case .head(let head):
                    if case .length(let length) = head.framing { declared = length } else { declared = nil }
                    body = 0
                    _ = try? RequestTarget.parse(head.target)
                    out.append("head \(head.method) \(head.target) \(head.version) \(head.framing) \(head.keepAlive) \(head.headers.count)")
                case .body(let piece):
                    try require(!piece.isEmpty, "an empty body event")
                    body += piece.count
                    if let declared { try require(body <= declared, "body of \(body) bytes past Content-Length \(declared)") }
                    try require(body <= limits.maxBodyBytes, "body of \(body) bytes past the limit")
                case .end:
                    if let declared { try require(body == declared, "body of \(body) bytes ended before Content-Length \(declared)") }
                    out.append("body \(body) end")
                case .error(let error):
                    out.append("error \(error.status.code)")
                    break feeding
                }
            }
        }
        return out
    }
}
#endif
