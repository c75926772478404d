/// Frames end with a delimiter (`"\r"`, `"\r\n"`, a byte). The delimiter is removed.
public struct DelimiterTokenizer: Tokenizer {
    public let delimiter: [UInt8]
    private var buffer: [UInt8] = []
    /// Frames that are empty (two delimiters in a row) are dropped unless this is true.
    public var keepEmptyFrames = false

    public init(_ delimiter: String) { self.init(bytes: Array(delimiter.utf8)) }

    public init(bytes delimiter: [UInt8]) {
        precondition(!delimiter.isEmpty, "a delimiter must have at least one byte")
        self.delimiter = delimiter
    }

    public mutating func push(_ bytes: [UInt8]) -> [[UInt8]] {
        // Resume the search just before the new bytes, in case a delimiter straddles the join.
        var searchFrom = max(0, buffer.count - delimiter.count + 1)
        buffer.append(contentsOf: bytes)
        var frames: [[UInt8]] = []
        var frameStart = 0
        var i = searchFrom
        while i + delimiter.count <= buffer.count {
            if buffer[i] == delimiter[0], buffer[i..<i + delimiter.count].elementsEqual(delimiter) {
                let frame = Array(buffer[frameStart..<i])
                if !frame.isEmpty || keepEmptyFrames { frames.append(frame) }
                i += delimiter.count
                frameStart = i
            } else {
                i += 1
            }
        }
        buffer.removeFirst(frameStart)
        searchFrom = 0
        if buffer.count > tokenizerBufferLimit { buffer.removeAll() }
        return frames
    }

    public mutating func reset() { buffer.removeAll() }
}
