/// Every frame is exactly `length` bytes.
public struct FixedLengthTokenizer: Tokenizer {
    public let length: Int
    private var buffer: [UInt8] = []

    public init(length: Int) {
        precondition(length > 0, "a fixed frame length must be positive")
        self.length = length
    }

    public mutating func push(_ bytes: [UInt8]) -> [[UInt8]] {
        buffer.append(contentsOf: bytes)
        var frames: [[UInt8]] = []
        var start = 0
        while buffer.count - start >= length {
            frames.append(Array(buffer[start..<start + length]))
            start += length
        }
        buffer.removeFirst(start)
        return frames
    }

    public mutating func reset() { buffer.removeAll() }
}
