/// Frames carry their length in a header field: the frame is `headerLength + length +
/// adjustment` bytes, where `length` is the unsigned integer of `lengthSize` bytes at
/// `lengthOffset`. Modbus TCP: offset 4, size 2, big endian, header 6.
public struct LengthPrefixedTokenizer: Tokenizer {
    public let lengthOffset: Int
    public let lengthSize: Int
    public let headerLength: Int
    public let bigEndian: Bool
    public let adjustment: Int
    private var buffer: [UInt8] = []

    public init(lengthOffset: Int = 0, lengthSize: Int = 2, headerLength: Int? = nil, bigEndian: Bool = true, adjustment: Int = 0) {
        precondition((1...8).contains(lengthSize), "a length field has 1 to 8 bytes")
        self.lengthOffset = lengthOffset
        self.lengthSize = lengthSize
        self.headerLength = headerLength ?? (lengthOffset + lengthSize)
        self.bigEndian = bigEndian
        self.adjustment = adjustment
    }

    public mutating func push(_ bytes: [UInt8]) -> [[UInt8]] {
        buffer.append(contentsOf: bytes)
        var frames: [[UInt8]] = []
        var start = 0
        while buffer.count - start >= max(headerLength, lengthOffset + lengthSize) {
            var length = 0
            for k in 0..<lengthSize {
                let byte = Int(buffer[start + lengthOffset + (bigEndian ? k : lengthSize - 1 - k)])
                length = length << 8 | byte
            }
            let total = headerLength + length + adjustment
            guard total > 0, total <= tokenizerBufferLimit else {
                buffer.removeAll()  // nonsense length: the stream cannot be resynchronised
                return frames
            }
            guard buffer.count - start >= total else { break }
            frames.append(Array(buffer[start..<start + total]))
            start += total
        }
        buffer.removeFirst(start)
        return frames
    }

    public mutating func reset() { buffer.removeAll() }
}
