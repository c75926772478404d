import DriverProtocol

/// The driver protocol's JSON Lines reader (`LineFramer`), both sides of the pipe. The first
/// byte picks a chunk size; the rest is the stream. Properties: the same lines whatever the
/// chunks; no line is empty, holds a newline or exceeds the limit; every line is a piece of the
/// stream; a dropped line is reported longer than the limit.
public enum DriverLineFramerCheck: FuzzCheck {
    public static let name = "driver-lines"
    static let maximumLength = 64

    public static func check(_ input: [UInt8]) throws(PropertyViolation) {
        guard let first = input.first else { return }
        let stream = Array(input.dropFirst())
        let whole = pieces(stream, chunk: max(1, stream.count))
        let chunked = pieces(stream, chunk: Int(first) % 16 + 1)
        try require(whole == chunked, "chunks of \(Int(first) % 16 + 1) bytes changed the lines")
        for piece in whole {
            switch piece {
            case .line(let line):
                try require(!line.isEmpty, "an empty line")
                try require(!line.contains(UInt8(ascii: "\n")), "a line holding a newline")
                try require(line.count <= maximumLength, "a line of \(line.count) bytes past the limit")
                try require(contains(stream, line), "a line that is not in the stream")
            case .tooLong(let length):
                try require(length > maximumLength, "a line of \(length) bytes dropped as too long")
            }
        }
    }

    /// The pieces for `bytes` fed `chunk` bytes at a time, with the unterminated tail last.
    static func pieces(_ bytes: [UInt8], chunk: Int) -> [LineFramer.Piece] {
        var framer = LineFramer(maximumLength: maximumLength)
        var out: [LineFramer.Piece] = []
        var offset = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + chunk)
            out += bytes[offset..<end].withUnsafeBufferPointer { framer.feed($0) }
            offset = end
        }
        if let tail = framer.finish() { out.append(.line(tail)) }
        return out
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard needle.count <= haystack.count else { return false }
        return (0...(haystack.count - needle.count)).contains { haystack[$0..<($0 + needle.count)].elementsEqual(needle) }
    }
}
